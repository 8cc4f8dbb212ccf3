/*
 * demo-threads - threads share the address space: a global has one
 * address for every thread and a change by one is seen by all, while a
 * __thread variable has a different address, hence a different value,
 * in each thread.
 */
#include "demo.h"
#include <pthread.h>

#define NTHREADS 3

int global_counter;
__thread int thread_local_var;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *global_addr[NTHREADS], *tls_addr[NTHREADS];

static void *thread_function(void *arg)
{
	int id = *(int *)arg;
	pthread_mutex_lock(&lock);       /* the seed's version races here */
	global_counter += 100;
	thread_local_var = id * 10;
	printf("  thread %d (tid %ld): global_counter = %3d at %p, thread_local_var = %2d at %p\n",
	       id, (long)gettid(), global_counter, (void *)&global_counter, thread_local_var,
	       (void *)&thread_local_var);
	global_addr[id - 1] = &global_counter;
	tls_addr[id - 1] = &thread_local_var;
	pthread_mutex_unlock(&lock);
	return NULL;
}

int main(void)
{
	pthread_t threads[NTHREADS];
	int ids[NTHREADS] = { 1, 2, 3 };
	printf("demo-threads: pid %d, global_counter = %d before any thread.\n", getpid(),
	       global_counter);
	demo_section("each thread adds 100 to the global and sets its own __thread variable");
	for (int i = 0; i < NTHREADS; i++)
		pthread_create(&threads[i], NULL, thread_function, &ids[i]);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(threads[i], NULL);
	demo_section("after all threads have finished");
	bool same = true, distinct = true;
	for (int i = 1; i < NTHREADS; i++) {
		same &= global_addr[i] == global_addr[0];
		for (int j = 0; j < i; j++)
			distinct &= tls_addr[i] != tls_addr[j];
	}
	printf("  global_counter = %d (3 threads x 100)\n", global_counter);
	printf("  global_counter has the same address in every thread: %s\n", same ? "yes" : "NO");
	printf("  thread_local_var has a different address in each thread: %s\n",
	       distinct ? "yes" : "NO");
	demo_section("why");
	printf("  pthread_create calls clone with CLONE_VM | CLONE_THREAD | CLONE_SETTLS...;\n"
	       "  do_clone then shares the mm (mm_get) instead of copying it (mm_fork), so\n"
	       "  there is one page table. Each thread gets its own stack and its own TLS\n"
	       "  block, found through the FS base register that CLONE_SETTLS sets\n"
	       "  (arch_prctl / arch_load_task_state): __thread variables live there.\n");
	return same && distinct && global_counter == 100 * NTHREADS ? 0 : 1;
}
