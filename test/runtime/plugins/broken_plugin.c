/* Shared objects that look like plugins but are wrong in one way each; the
 * runtime must refuse every one with a clear message (PluginTest.cpp).
 * BROKEN selects the flaw. */
#include <stddef.h>
#include <stdint.h>

#define MANIFEST_WITH(abi, kernels)                                            \
  "{\"abi_version\": " abi ", \"actc_version\": \"0.1.0\", "                   \
  "\"source\": \"broken.act\", \"targets\": [], \"cuda_target\": null, "       \
  "\"activations\": [{\"name\": \"half\", \"doc\": \"x / 2\", \"params\": [], " \
  "\"kernels\": [" kernels "], \"cuda_kernels\": []}]}"

/* A kernel the manifests may list. */
int actc_half_forward_p(const float *x, float *y, int64_t n,
                        const float *params) {
  (void)params;
  for (int64_t i = 0; i < n; ++i)
    y[i] = x[i] / 2;
  return 0;
}

#if BROKEN == 1 /* No actc_manifest at all. */
#elif BROKEN == 2 /* A manifest that is not JSON. */
const char *actc_manifest(void) { return "{\"abi_version\": 1,"; }
#elif BROKEN == 3 /* Another ABI version. */
const char *actc_manifest(void) { return MANIFEST_WITH("7", "\"forward\""); }
#elif BROKEN == 4 /* Lists a kernel it does not define. */
const char *actc_manifest(void) {
  return MANIFEST_WITH("1", "\"forward\", \"backward\"");
}
#elif BROKEN == 5 /* Returns null. */
const char *actc_manifest(void) { return NULL; }
#else
#error "BROKEN must select a flaw"
#endif
