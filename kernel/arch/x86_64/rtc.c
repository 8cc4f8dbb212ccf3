/*
 * rtc.c - the CMOS real-time clock, read once at boot to set the wall
 * clock (QEMU gives it the host's date, or the one -rtc base= names).
 */
#include "arch/x86_64/cpu.h"
#include "arch.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS 0x04
#define RTC_DAY 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_CENTURY 0x32
#define STATUS_A_UPDATING 0x80
#define STATUS_B_BINARY 0x04
#define STATUS_B_24H 0x02
#define HOUR_PM 0x80

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static unsigned from_bcd(uint8_t v, bool binary)
{
	return binary ? v : (v & 0x0f) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to the given date (proleptic Gregorian). */
static uint64_t days_since_epoch(unsigned year, unsigned month, unsigned day)
{
	/* Shift the year to start in March, so the leap day is last. */
	int y = (int)year - (month <= 2);
	int era = y / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (uint64_t)era * 146097 + doe - 719468;
}

/* arch_rtc_unix_seconds - the clock's date and time as seconds since
 * 1970 (UTC), or 0 when it reads as nonsense. */
uint64_t arch_rtc_unix_seconds(void)
{
	while (cmos_read(RTC_STATUS_A) & STATUS_A_UPDATING)
		__asm__ volatile("pause");
	uint8_t b = cmos_read(RTC_STATUS_B);
	bool binary = b & STATUS_B_BINARY;
	unsigned sec = from_bcd(cmos_read(RTC_SECONDS), binary);
	unsigned min = from_bcd(cmos_read(RTC_MINUTES), binary);
	uint8_t raw_hour = cmos_read(RTC_HOURS);
	unsigned hour = from_bcd(raw_hour & ~HOUR_PM, binary);
	unsigned day = from_bcd(cmos_read(RTC_DAY), binary);
	unsigned month = from_bcd(cmos_read(RTC_MONTH), binary);
	unsigned year = from_bcd(cmos_read(RTC_YEAR), binary);
	unsigned century = from_bcd(cmos_read(RTC_CENTURY), binary);
	if (!(b & STATUS_B_24H) && (raw_hour & HOUR_PM))
		hour = (hour % 12) + 12;
	year += (century >= 19 && century <= 30) ? century * 100 : 2000;
	if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
		return 0;
	return days_since_epoch(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
}
