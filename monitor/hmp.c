/* HMP: the human monitor's command registry and line interpreter. */
#include "monitor/hmp.h"

#include <string.h>

static GPtrArray *hmp_tables;       /* const HmpCommand * arrays */
static GPtrArray *info_tables;      /* const HmpInfo * arrays */

void hmp_register_commands(const HmpCommand *cmds)
{
    if (!hmp_tables) {
        hmp_tables = g_ptr_array_new();
    }
    g_ptr_array_add(hmp_tables, (gpointer)cmds);
}

void hmp_register_info(const HmpInfo *infos)
{
    if (!info_tables) {
        info_tables = g_ptr_array_new();
    }
    g_ptr_array_add(info_tables, (gpointer)infos);
}

void hmp_report_err(GString *out, Error *err)
{
    const char *hint = error_get_hint(err);

    g_string_append_printf(out, "Error: %s\n", error_get_pretty(err));
    if (hint) {
        g_string_append(out, hint);
    }
    error_free(err);
}

static const HmpCommand *find_command(const char *name)
{
    for (guint t = 0; hmp_tables && t < hmp_tables->len; t++) {
        for (const HmpCommand *c = g_ptr_array_index(hmp_tables, t); c->name;
             c++) {
            if (g_str_equal(c->name, name)) {
                return c;
            }
        }
    }
    return NULL;
}

static const HmpInfo *find_info(const char *name)
{
    for (guint t = 0; info_tables && t < info_tables->len; t++) {
        for (const HmpInfo *i = g_ptr_array_index(info_tables, t); i->name;
             i++) {
            if (g_str_equal(i->name, name)) {
                return i;
            }
        }
    }
    return NULL;
}

static gint cmd_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(**(const char *const *const *)a,
                  **(const char *const *const *)b);
}

/* Both tables start with the name, so one sort serves both. */
static GPtrArray *sorted_entries(GPtrArray *tables, size_t entry_size)
{
    GPtrArray *all = g_ptr_array_new();

    for (guint t = 0; tables && t < tables->len; t++) {
        for (const char *p = g_ptr_array_index(tables, t);
             *(const char *const *)p; p += entry_size) {
            g_ptr_array_add(all, (gpointer)p);
        }
    }
    g_ptr_array_sort(all, cmd_cmp);
    return all;
}

static void print_info_help(GString *out)
{
    g_autoptr(GPtrArray) all = sorted_entries(info_tables, sizeof(HmpInfo));

    for (guint i = 0; i < all->len; i++) {
        const HmpInfo *info = g_ptr_array_index(all, i);

        g_string_append_printf(out, "info %s  -- %s\n", info->name,
                               info->help);
    }
}

static void print_help(GString *out, const char *only)
{
    g_autoptr(GPtrArray) all = sorted_entries(hmp_tables, sizeof(HmpCommand));

    for (guint i = 0; i < all->len; i++) {
        const HmpCommand *c = g_ptr_array_index(all, i);

        if (only && !g_str_equal(only, c->name)) {
            continue;
        }
        g_string_append_printf(out, "%s%s%s -- %s\n", c->name,
                               c->params ? " " : "",
                               c->params ? c->params : "", c->help);
    }
    if (!only || g_str_equal(only, "info")) {
        print_info_help(out);
    }
}

static void hmp_help(GString *out, int argc, char **argv)
{
    print_help(out, argc > 1 ? argv[1] : NULL);
}

static void hmp_info(GString *out, int argc, char **argv)
{
    const HmpInfo *info;

    if (argc < 2) {
        print_info_help(out);
        return;
    }
    info = find_info(argv[1]);
    if (!info) {
        g_string_append_printf(out, "unknown info command: '%s'\n", argv[1]);
        print_info_help(out);
        return;
    }
    info->fn(out);
}

/*
 * Split off up to max words; with takes_rest the last one is the rest of
 * the line, spaces and all ("qom-set vm0 p some value").
 */
static GPtrArray *split_words(const char *line, int max_words, bool rest)
{
    GPtrArray *words = g_ptr_array_new_with_free_func(g_free);
    const char *p = line;

    while (*p) {
        const char *start;

        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (!*p) {
            break;
        }
        if (rest && (int)words->len == max_words - 1) {
            g_ptr_array_add(words, g_strchomp(g_strdup(p)));
            break;
        }
        start = p;
        while (*p && *p != ' ' && *p != '\t') {
            p++;
        }
        g_ptr_array_add(words, g_strndup(start, p - start));
    }
    g_ptr_array_add(words, NULL);
    return words;
}

char *hmp_execute(const char *line)
{
    GString *out = g_string_new(NULL);
    g_autofree char *name = NULL;
    g_autoptr(GPtrArray) words = NULL;
    const HmpCommand *cmd;
    const char *p = line;
    int argc;

    while (*p == ' ' || *p == '\t') {
        p++;
    }
    name = g_strndup(p, strcspn(p, " \t\r\n"));
    if (!*name) {
        return g_string_free(out, FALSE);
    }
    cmd = find_command(name);
    if (!cmd) {
        g_string_append_printf(out, "unknown command: '%s'\n", name);
        return g_string_free(out, FALSE);
    }
    words = split_words(p, cmd->max_args + 1, cmd->takes_rest);
    argc = (int)words->len - 1;
    if (argc - 1 < cmd->min_args || argc - 1 > cmd->max_args) {
        g_string_append_printf(out, "%s: wrong number of arguments "
                               "(usage: %s%s%s)\n", name, name,
                               cmd->params ? " " : "",
                               cmd->params ? cmd->params : "");
        return g_string_free(out, FALSE);
    }
    cmd->fn(out, argc, (char **)words->pdata);
    return g_string_free(out, FALSE);
}

static const HmpCommand hmp_builtin_commands[] = {
    { "help", "[cmd]", "show the help", 0, 1, false, hmp_help },
    { "?", "[cmd]", "show the help", 0, 1, false, hmp_help },
    { "info", "[subcommand]", "show various information about the system "
      "state", 0, 1, false, hmp_info },
    { NULL },
};

void hmp_core_commands_register(void)
{
    hmp_register_commands(hmp_builtin_commands);
}
