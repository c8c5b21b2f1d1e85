/* Runs a fuzz target without libFuzzer: over files given, or a fixed-seed random stream, as a regular test. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned run_path(const char *path)
{
    g_autofree char *data = NULL;
    gsize len;
    unsigned n = 0;

    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        const char *name;

        while (dir && (name = g_dir_read_name(dir))) {
            g_autofree char *child = g_build_filename(path, name, NULL);

            n += run_path(child);
        }
        return n;
    }
    if (!g_file_get_contents(path, &data, &len, NULL)) {
        fprintf(stderr, "cannot read %s\n", path);
        return 0;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    return 1;
}

int main(int argc, char **argv)
{
    GRand *rand = g_rand_new_with_seed(20261123);
    unsigned files = 0, random_runs = 400;

    for (int i = 1; i < argc; i++) {
        files += run_path(argv[i]);
    }
    for (unsigned i = 0; i < random_runs; i++) {
        uint8_t buf[512];
        size_t len = g_rand_int_range(rand, 0, sizeof(buf));

        for (size_t j = 0; j < len; j++) {
            buf[j] = (uint8_t)g_rand_int(rand);
        }
        LLVMFuzzerTestOneInput(buf, len);
    }
    g_rand_free(rand);
    printf("1..1\nok 1 - %u corpus inputs and %u random inputs, invariants "
           "held\n", files, random_runs);
    return 0;
}
