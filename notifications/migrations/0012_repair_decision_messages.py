from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0011_direct_message_publication_expired'),
    ]

    operations = [
        migrations.AlterField(
            model_name='directmessage',
            name='kind',
            field=models.CharField(choices=[('objection', '异议处理结果'), ('repair', '信用修复结果'), ('password_code', '密码重置验证码'), ('password_reset', '营业厅重置密码提示'), ('publication_expired', '公示期满告知')], max_length=20, verbose_name='类型'),
        ),
    ]
