# Writes a village household sheet (the import's CSV) of synthetic households: rows FROM to
# TO-1 of one numbering, each with a valid, distinct 18-digit ID number (birth date from the
# row number, sequence number, check digit per GB 11643). Names and addresses are made up.
#   awk -v from=0 -v to=50000 -v village=新丰社区 -f households.awk > part.csv
BEGIN {
    split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", weight, " ")
    split("1 0 X 9 8 7 6 5 4 3 2", check, " ")
    print "序号,户主姓名,身份证号码,联系电话,村（社区）,详细地址,困难类型,需求物资,数量"
    for (n = from; n < to; n++) {
        day = int(n / 1000)                 # 1000 sequence numbers a birth date
        year = 1930 + int(day / 336)        # 12 months × 28 days a year: always a real date
        month = 1 + int((day % 336) / 28)
        mday = 1 + day % 28
        first = sprintf("340121%04d%02d%02d%03d", year, month, mday, n % 1000)
        sum = 0
        for (i = 1; i <= 17; i++) sum += substr(first, i, 1) * weight[i]
        printf "%d,压测户%d,%s%s,,%s,%d组%d号,低保,,\n", n + 1, n, first, check[sum % 11 + 1], village, 1 + n % 9, 1 + n % 300
    }
}
