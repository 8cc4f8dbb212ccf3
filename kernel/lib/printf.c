/*
 * printf.c - formatting for printk and snprintf.
 *
 * A conversion is %[flags][width][.precision][length]type with
 *   flags      '-' (left-align), '0' (pad with zeros), '#' (0x before %x)
 *   width      digits, or '*' taken from the arguments
 *   precision  digits or '*': most bytes of %s, least digits of numbers
 *   length     hh h l ll z j t
 *   type       d i u o x X p s c %
 * as in C99, except that %p always prints 0x and 16 hex digits. Output
 * goes through a struct out that counts every byte but stores only what
 * fits, which gives C99's return value.
 */
#include "lib/kernel.h"
#include "lib/string.h"

#define FLAG_LEFT  0x1
#define FLAG_ZERO  0x2
#define FLAG_ALT   0x4
#define NO_PRECISION (-1)
#define PTR_HEX_DIGITS 16

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

struct out {
	char *buf;
	size_t size;
	size_t len;     /* bytes the whole output has so far */
};

struct spec {
	unsigned flags;
	int width;
	int precision;
	enum length length;
};

static void out_char(struct out *o, char c)
{
	if (o->len < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_repeat(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

static void out_bytes(struct out *o, const char *s, size_t n)
{
	while (n--)
		out_char(o, *s++);
}

/* Emit a field of n bytes (prefix, zeros, body) padded to the width. */
static void out_field(struct out *o, const struct spec *sp, const char *prefix,
		      int zeros, const char *body, size_t n)
{
	int len = (int)(strlen(prefix) + n) + MAX(zeros, 0);
	int pad = sp->width - len;
	if (!(sp->flags & FLAG_LEFT))
		out_repeat(o, ' ', pad);
	out_bytes(o, prefix, strlen(prefix));
	out_repeat(o, '0', zeros);
	out_bytes(o, body, n);
	if (sp->flags & FLAG_LEFT)
		out_repeat(o, ' ', pad);
}

/* Format v in base 8, 10 or 16 after prefix ("-", "0x" or ""), with the
 * precision's or the '0' flag's leading zeros. */
static void out_number(struct out *o, const struct spec *sp, uint64_t v,
		       const char *prefix, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	char *end = tmp + sizeof(tmp), *p = end;
	for (; v; v /= base)
		*--p = digits[v % base];
	if (p == end && sp->precision != 0)
		*--p = '0';

	int n = (int)(end - p);
	int zeros = sp->precision - n;
	if (sp->precision == NO_PRECISION && (sp->flags & (FLAG_ZERO | FLAG_LEFT)) == FLAG_ZERO)
		zeros = sp->width - n - (int)strlen(prefix);
	out_field(o, sp, prefix, zeros, p, (size_t)n);
}

/* Fetch the next signed or unsigned integer argument at the spec's length. */
static int64_t arg_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:  return (signed char)va_arg(*ap, int);
	case LEN_SHORT: return (short)va_arg(*ap, int);
	case LEN_LONG:  return va_arg(*ap, long);
	case LEN_LLONG: return va_arg(*ap, long long);
	case LEN_SIZE:  return va_arg(*ap, ssize_t_k);
	default:        return va_arg(*ap, int);
	}
}

static uint64_t arg_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:  return (unsigned char)va_arg(*ap, unsigned);
	case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned);
	case LEN_LONG:  return va_arg(*ap, unsigned long);
	case LEN_LLONG: return va_arg(*ap, unsigned long long);
	case LEN_SIZE:  return va_arg(*ap, size_t);
	default:        return va_arg(*ap, unsigned);
	}
}

/* Read a decimal number or '*' (an int argument) at *fmt. */
static int parse_count(const char **fmt, va_list *ap)
{
	if (**fmt == '*') {
		(*fmt)++;
		return va_arg(*ap, int);
	}
	int n = 0;
	for (; **fmt >= '0' && **fmt <= '9'; (*fmt)++)
		n = n * 10 + (**fmt - '0');
	return n;
}

static enum length parse_length(const char **fmt)
{
	const char *f = *fmt;
	enum length len = LEN_INT;
	if (f[0] == 'h')
		len = f[1] == 'h' ? (f++, LEN_CHAR) : LEN_SHORT;
	else if (f[0] == 'l')
		len = f[1] == 'l' ? (f++, LEN_LLONG) : LEN_LONG;
	else if (f[0] == 'z' || f[0] == 't' || f[0] == 'j')
		len = f[0] == 'j' ? LEN_LLONG : LEN_SIZE;
	else
		return len;
	*fmt = f + 1;
	return len;
}

/* Parse flags, width, precision and length after a '%'. */
static void parse_spec(const char **fmt, va_list *ap, struct spec *sp)
{
	sp->flags = 0;
	for (;; (*fmt)++) {
		if (**fmt == '-')
			sp->flags |= FLAG_LEFT;
		else if (**fmt == '0')
			sp->flags |= FLAG_ZERO;
		else if (**fmt == '#')
			sp->flags |= FLAG_ALT;
		else
			break;
	}
	sp->width = parse_count(fmt, ap);
	if (sp->width < 0) {            /* a negative '*' width means '-' */
		sp->flags |= FLAG_LEFT;
		sp->width = -sp->width;
	}
	sp->precision = NO_PRECISION;
	if (**fmt == '.') {
		(*fmt)++;
		int precision = parse_count(fmt, ap);
		sp->precision = MAX(precision, NO_PRECISION); /* negative: none */
	}
	sp->length = parse_length(fmt);
}

static void out_string(struct out *o, const struct spec *sp, const char *s)
{
	if (!s)
		s = "(null)";
	size_t n = sp->precision == NO_PRECISION ? strlen(s) : strnlen(s, (size_t)sp->precision);
	out_field(o, sp, "", 0, s, n);
}

/* Format one conversion of type c. */
static void out_conversion(struct out *o, struct spec *sp, char c, va_list *ap)
{
	switch (c) {
	case 'd':
	case 'i': {
		int64_t v = arg_signed(ap, sp->length);
		uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
		out_number(o, sp, mag, v < 0 ? "-" : "", 10, false);
		break;
	}
	case 'u':
		out_number(o, sp, arg_unsigned(ap, sp->length), "", 10, false);
		break;
	case 'o': {
		uint64_t v = arg_unsigned(ap, sp->length);
		out_number(o, sp, v, (sp->flags & FLAG_ALT) && v ? "0" : "", 8, false);
		break;
	}
	case 'x':
	case 'X': {
		uint64_t v = arg_unsigned(ap, sp->length);
		const char *alt = c == 'X' ? "0X" : "0x";
		out_number(o, sp, v, (sp->flags & FLAG_ALT) && v ? alt : "", 16, c == 'X');
		break;
	}
	case 'p':
		sp->flags &= FLAG_LEFT;
		sp->precision = PTR_HEX_DIGITS;
		out_number(o, sp, (uintptr_t)va_arg(*ap, void *), "0x", 16, false);
		break;
	case 's':
		out_string(o, sp, va_arg(*ap, const char *));
		break;
	case 'c': {
		char ch = (char)va_arg(*ap, int);
		out_field(o, sp, "", 0, &ch, 1);
		break;
	}
	case '%':
		out_char(o, '%');
		break;
	default:                        /* unknown: print it as it stands */
		out_char(o, '%');
		if (c)
			out_char(o, c);
	}
}

/* vsnprintf - format into buf, storing at most size bytes with the
 * terminator. Returns the length the whole output has (as C99), so a
 * result >= size means it was cut short. Takes no locks. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list args;
	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt++;
		struct spec sp;
		parse_spec(&fmt, &args, &sp);
		char c = *fmt;
		if (c)
			fmt++;
		out_conversion(&o, &sp, c, &args);
	}
	va_end(args);
	if (size > 0)
		buf[MIN(o.len, size - 1)] = 0;
	return (int)o.len;
}

/* snprintf - vsnprintf with the arguments inline. */
int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
