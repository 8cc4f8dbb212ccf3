/*
 * cxx.cc - a C++ program, dynamically linked against libstdc++ and
 * libgcc_s as g++ builds it: global constructors, exceptions (thrown
 * through libstdc++ and across threads, unwound by libgcc_s), threads
 * with thread_local objects, mutexes and condition variables, streams.
 */
#include "gtest.h"
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#define THREADS 4

static int constructed_before_main;

struct Global {
	Global() { constructed_before_main = 42; }
};
static Global global;

GTEST(global_constructors_ran)
{
	CHECK_EQ(constructed_before_main, 42);
}

static int throw_deep(int depth)
{
	if (depth == 0)
		throw std::runtime_error("deep");
	return throw_deep(depth - 1) + 1;
}

GTEST(exception_unwinds_through_frames)
{
	std::string what;
	try {
		throw_deep(20);
	} catch (const std::exception &e) {
		what = e.what();
	}
	CHECK(what == "deep", "caught \"%s\"", what.c_str());
}

GTEST(library_throws_out_of_range)
{
	std::vector<int> v(3);
	bool caught = false;
	try {
		v.at(10) = 1;
	} catch (const std::out_of_range &) {
		caught = true;
	}
	CHECK(caught);
}

struct Counted {
	static std::atomic<int> live;
	int value = 7;
	Counted() { live++; }
	~Counted() { live--; }
};
std::atomic<int> Counted::live{0};
static thread_local Counted per_thread;

GTEST(threads_throw_and_catch_with_own_thread_locals)
{
	std::vector<std::thread> threads;
	std::vector<int> seen(THREADS);
	for (int i = 0; i < THREADS; i++)
		threads.emplace_back([i, &seen] {
			per_thread.value += i;
			try {
				throw i;
			} catch (int n) {
				seen[i] = per_thread.value * 10 + n;
			}
		});
	for (auto &t : threads)
		t.join();
	for (int i = 0; i < THREADS; i++)
		CHECK_EQ(seen[i], (7 + i) * 10 + i);
	CHECK_EQ(per_thread.value, 7);
	CHECK_EQ(Counted::live.load(), 1);   /* the threads' copies were destroyed */
}

GTEST(exception_crosses_threads_through_future)
{
	std::future<int> f = std::async(std::launch::async, [] () -> int {
		throw std::logic_error("from a thread");
	});
	std::string what;
	try {
		f.get();
	} catch (const std::logic_error &e) {
		what = e.what();
	}
	CHECK(what == "from a thread", "caught \"%s\"", what.c_str());
}

GTEST(condition_variable_hands_over_work)
{
	std::mutex m;
	std::condition_variable cv;
	int stage = 0;
	std::thread worker([&] {
		std::unique_lock<std::mutex> lock(m);
		cv.wait(lock, [&] { return stage == 1; });
		stage = 2;
		cv.notify_one();
	});
	{
		std::unique_lock<std::mutex> lock(m);
		stage = 1;
		cv.notify_one();
		cv.wait(lock, [&] { return stage == 2; });
	}
	worker.join();
	CHECK_EQ(stage, 2);
}

GTEST(string_streams_format)
{
	std::ostringstream out;
	out << "pi " << 3.25 << ' ' << std::hex << 255;
	CHECK(out.str() == "pi 3.25 ff", "got \"%s\"", out.str().c_str());
}
