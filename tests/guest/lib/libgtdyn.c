/*
 * libgtdyn.c - a shared library for tests/guest/dynlink.c, loaded with
 * dlopen: a constructor, a function, and a thread-local variable (TLS
 * of a library loaded after start-up: glibc gives each thread its copy
 * on first use, through __tls_get_addr).
 */
__thread int gtdyn_tls = 5;
int gtdyn_ctor_ran;

__attribute__((constructor)) static void gtdyn_init(void)
{
	gtdyn_ctor_ran = 1;
}

int *gtdyn_tls_addr(void)
{
	return &gtdyn_tls;
}

int gtdyn_answer(void)
{
	return 42;
}
