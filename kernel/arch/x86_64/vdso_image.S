/* vdso_image.S - the vDSO's ELF image (kernel/arch/x86_64/vdso/, built
 * into VDSO_IMAGE by the Makefile) in the kernel's read-only data. */
	.section .rodata
	.balign 16
	.globl vdso_image, vdso_image_end
vdso_image:
	.incbin VDSO_IMAGE
vdso_image_end:
