// native/malloc-trim.c: glibc's malloc_trim(0) and mallinfo2() for Node, as an N-API addon (issue 10).
// glibc keeps in its arenas what the threads freed (ingest's transient buffers: ~40-100 MiB after a bulk ILP load,
// ARCHITECTURE.md) and Node cannot ask for it back. Both calls walk and lock every arena, so they run on libuv's
// pool (napi_create_async_work), never on the event loop, and each resolves a promise.
//
// Built by scripts/build-native.sh with plain `cc -shared -fPIC`: no node-gyp and no node headers. N-API is a stable
// C ABI, so the few declarations it needs are written out below (as in node_api.h, Node-API version 8); the symbols
// are resolved against the node binary when the addon is loaded. malloc_trim and mallinfo2 are weak: where the C
// library lacks them (musl; glibc < 2.33 for mallinfo2) the addon still loads and says so, and the caller runs
// without it.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_deferred__ *napi_deferred;
typedef struct napi_async_work__ *napi_async_work;
typedef struct napi_callback_info__ *napi_callback_info;
typedef int napi_status; // an enum in node_api.h; napi_ok is 0
typedef napi_value (*napi_callback)(napi_env env, napi_callback_info info);
typedef void (*napi_async_execute_callback)(napi_env env, void *data);
typedef void (*napi_async_complete_callback)(napi_env env, napi_status status, void *data);

extern napi_status napi_create_function(napi_env, const char *, size_t, napi_callback, void *, napi_value *);
extern napi_status napi_set_named_property(napi_env, napi_value, const char *, napi_value);
extern napi_status napi_create_object(napi_env, napi_value *);
extern napi_status napi_create_double(napi_env, double, napi_value *);
extern napi_status napi_get_boolean(napi_env, bool, napi_value *);
extern napi_status napi_create_string_utf8(napi_env, const char *, size_t, napi_value *);
extern napi_status napi_create_error(napi_env, napi_value, napi_value, napi_value *);
extern napi_status napi_create_promise(napi_env, napi_deferred *, napi_value *);
extern napi_status napi_resolve_deferred(napi_env, napi_deferred, napi_value);
extern napi_status napi_reject_deferred(napi_env, napi_deferred, napi_value);
extern napi_status napi_create_async_work(napi_env, napi_value, napi_value, napi_async_execute_callback,
                                          napi_async_complete_callback, void *, napi_async_work *);
extern napi_status napi_queue_async_work(napi_env, napi_async_work);
extern napi_status napi_delete_async_work(napi_env, napi_async_work);

#define NAPI_AUTO_LENGTH SIZE_MAX

// glibc's struct mallinfo2 (malloc.h, glibc >= 2.33), spelled out so the file builds against any C library.
struct arena_info {
  size_t arena;    // bytes the main arena got from sbrk
  size_t ordblks;  // free chunks
  size_t smblks;   // free fastbin chunks
  size_t hblks;    // mmapped chunks
  size_t hblkhd;   // bytes in mmapped chunks
  size_t usmblks;
  size_t fsmblks;  // bytes in free fastbin chunks
  size_t uordblks; // bytes in use
  size_t fordblks; // bytes free in the arenas (resident or already given back: glibc does not tell)
  size_t keepcost; // the releasable top of the main arena
};
extern int malloc_trim(size_t pad) __attribute__((weak));
extern struct arena_info mallinfo2(void) __attribute__((weak));

enum job_kind { JOB_STATS, JOB_TRIM };

struct job {
  enum job_kind kind;
  napi_deferred deferred;
  napi_async_work work;
  struct arena_info info;
  double rss_before;
  double rss_after;
  double cpu_micros;
  int released;
};

/** Resident bytes of this process from /proc/self/statm (-1 where there is none). */
static double resident_bytes(void) {
  FILE *file = fopen("/proc/self/statm", "r");
  if (file == NULL) return -1;
  unsigned long size = 0, resident = 0;
  int read = fscanf(file, "%lu %lu", &size, &resident);
  fclose(file);
  return read == 2 ? (double)resident * (double)sysconf(_SC_PAGESIZE) : -1;
}

static double thread_cpu_micros(void) {
  struct timespec now;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) != 0) return 0;
  return (double)now.tv_sec * 1e6 + (double)now.tv_nsec / 1e3;
}

// On a libuv pool thread: nothing here may touch napi_env.
static void execute(napi_env env, void *data) {
  (void)env;
  struct job *job = data;
  double cpu_start = thread_cpu_micros();
  job->rss_before = resident_bytes();
  if (job->kind == JOB_TRIM) {
    job->released = malloc_trim(0);
    job->rss_after = resident_bytes();
  }
  job->info = mallinfo2();
  job->cpu_micros = thread_cpu_micros() - cpu_start;
}

static void set_number(napi_env env, napi_value object, const char *name, double value) {
  napi_value number;
  napi_create_double(env, value, &number);
  napi_set_named_property(env, object, name, number);
}

static void complete(napi_env env, napi_status status, void *data) {
  struct job *job = data;
  napi_value result;
  if (status != 0) {
    napi_value message;
    napi_create_string_utf8(env, "malloc-trim: the pool job was cancelled or failed", NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &result);
    napi_reject_deferred(env, job->deferred, result);
  } else {
    napi_create_object(env, &result);
    set_number(env, result, "rss", job->kind == JOB_TRIM ? job->rss_after : job->rss_before);
    set_number(env, result, "cpuMicros", job->cpu_micros);
    if (job->kind == JOB_TRIM) {
      napi_value released;
      napi_get_boolean(env, job->released != 0, &released);
      napi_set_named_property(env, result, "released", released);
      set_number(env, result, "rssBefore", job->rss_before);
    }
    set_number(env, result, "free", (double)job->info.fordblks);
    if (job->kind == JOB_STATS) {
      set_number(env, result, "inUse", (double)job->info.uordblks);
      set_number(env, result, "mmapped", (double)job->info.hblkhd);
      set_number(env, result, "mainArena", (double)job->info.arena);
      set_number(env, result, "topReleasable", (double)job->info.keepcost);
    }
    napi_resolve_deferred(env, job->deferred, result);
  }
  napi_delete_async_work(env, job->work);
  free(job);
}

static napi_value queue(napi_env env, enum job_kind kind, const char *name) {
  struct job *job = calloc(1, sizeof *job);
  napi_value promise = NULL, resource_name;
  if (job == NULL) return NULL; // a pending exception is not set: the caller sees undefined and treats it as a failure
  job->kind = kind;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource_name);
  napi_create_async_work(env, NULL, resource_name, execute, complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

static napi_value trim(napi_env env, napi_callback_info info) {
  (void)info;
  return queue(env, JOB_TRIM, "nodedb.mallocTrim");
}

static napi_value free_bytes(napi_env env, napi_callback_info info) {
  (void)info;
  return queue(env, JOB_STATS, "nodedb.mallocStats");
}

static void export_function(napi_env env, napi_value exports, const char *name, napi_callback callback) {
  napi_value function;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, NULL, &function);
  napi_set_named_property(env, exports, name, function);
}

__attribute__((visibility("default"))) int32_t node_api_module_get_api_version_v1(void) { return 8; }

__attribute__((visibility("default"))) napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  napi_value missing;
  // Without glibc's two calls there is nothing to offer: the loader reads `missing` and runs without the addon.
  const char *absent = malloc_trim == NULL ? "malloc_trim" : mallinfo2 == NULL ? "mallinfo2" : NULL;
  if (absent != NULL) {
    napi_create_string_utf8(env, absent, NAPI_AUTO_LENGTH, &missing);
    napi_set_named_property(env, exports, "missing", missing);
    return exports;
  }
  export_function(env, exports, "trim", trim);
  export_function(env, exports, "freeBytes", free_bytes);
  return exports;
}
