"""The commendation right now belongs to the archive (archives 0010 moved its row): the DRC keeps its own two."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('drc', '0001_initial'),
        ('archives', '0010_record_commendation_permission'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='drcreport',
            options={'ordering': ['-report_date'], 'permissions': [('build_drcreport', '立即生成当日报送文件（营业厅）')], 'verbose_name': '发改委报送文件', 'verbose_name_plural': '发改委报送文件'},
        ),
    ]
