/*
 * serial.c - the 16550 UART on COM1: the console. Output is polled
 * (the kernel must be able to print with interrupts off, in a panic);
 * input raises IRQ 4 and each byte goes to the console layer.
 */
#include "arch/x86_64/cpu.h"
#include "lib/console.h"

uint64_t arch_tsc_khz(void);
static inline uint64_t arch_tsc_khz_value(void) { uint64_t k = arch_tsc_khz(); return k ? k : 1000000; }

#define COM1 0x3f8
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

/* serial_init - 115200 baud, 8N1, FIFOs on, no interrupts yet. */
void serial_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DATA, DIVISOR_115200);
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR);
	outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
}

/* serial_enable_rx_irq - raise IRQ 4 when a byte arrives. */
void serial_enable_rx_irq(void)
{
	outb(COM1 + UART_IER, IER_RX);
	pic_unmask(4);
}

/* serial_putc - send one byte, waiting for the transmitter. */
void serial_putc(char c)
{
	while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
		__asm__ volatile("pause");
	outb(COM1 + UART_DATA, (uint8_t)c);
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
