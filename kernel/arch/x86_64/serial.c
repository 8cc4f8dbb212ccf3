/*
 * serial.c - the 16550 UART on COM1: the console. Output is polled
 * (the kernel must be able to print with interrupts off, in a panic);
 * input raises IRQ 4 and each byte goes to the console layer.
 *
 * COM2, when the machine has one, is an output-only channel for data
 * that must not mix with the console (/dev/ttyS1: the memory trace
 * that tools/aspen-view collects).
 */
#include "arch/x86_64/cpu.h"
#include "lib/console.h"

uint64_t arch_tsc_khz(void);
static inline uint64_t arch_tsc_khz_value(void) { uint64_t k = arch_tsc_khz(); return k ? k : 1000000; }

#define COM1 0x3f8
#define COM2 0x2f8
#define UART_SCR 7
#define SCR_PROBE 0x5a
#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define LSR_TX_IDLE 0x40
#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define IER_RX 0x01
#define MCR_DTR_RTS_OUT2 0x0b
#define FCR_ENABLE_CLEAR 0xc7
#define DIVISOR_115200 1

static bool com2_present;

static void uart_init(uint16_t port)
{
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DATA, DIVISOR_115200);
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, FCR_ENABLE_CLEAR);
	outb(port + UART_MCR, MCR_DTR_RTS_OUT2);
}

/* serial_init - 115200 baud, 8N1, FIFOs on, no interrupts yet; COM2
 * too if its scratch register answers (there is a UART there). */
void serial_init(void)
{
	uart_init(COM1);
	outb(COM2 + UART_SCR, SCR_PROBE);
	com2_present = inb(COM2 + UART_SCR) == SCR_PROBE;
	if (com2_present)
		uart_init(COM2);
}

/* serial_enable_rx_irq - raise IRQ 4 when a byte arrives. */
void serial_enable_rx_irq(void)
{
	outb(COM1 + UART_IER, IER_RX);
	pic_unmask(4);
}

static void uart_putc(uint16_t port, char c)
{
	while (!(inb(port + UART_LSR) & LSR_THR_EMPTY))
		__asm__ volatile("pause");
	outb(port + UART_DATA, (uint8_t)c);
}

/* serial_putc - send one byte, waiting for the transmitter. */
void serial_putc(char c)
{
	uart_putc(COM1, c);
}

/* arch_aux_serial_write - see arch.h. Bytes as they are, no CR added. */
bool arch_aux_serial_write(const char *s, size_t n)
{
	if (!com2_present)
		return false;
	for (size_t i = 0; i < n; i++)
		uart_putc(COM2, s[i]);
	return true;
}

/* serial_drain - wait until the UART has sent everything, then give the
 * emulator a moment to pass it on: QEMU writes the serial line to its
 * host side without blocking and drops what is pending when it exits. */
void serial_drain(void)
{
	while (!(inb(COM1 + UART_LSR) & LSR_TX_IDLE))
		__asm__ volatile("pause");
	uint64_t until = rdtsc() + 20 * arch_tsc_khz_value();   /* 20 ms */
	while (rdtsc() < until)
		__asm__ volatile("pause");
}

/* serial_irq - drain the receive FIFO into the console. Interrupts off. */
void serial_irq(void)
{
	while (inb(COM1 + UART_LSR) & LSR_DATA_READY)
		console_input_byte(inb(COM1 + UART_DATA));
}

/* arch_console_write - the console layer's output. */
void arch_console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}
