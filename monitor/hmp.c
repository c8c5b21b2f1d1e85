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

/* A name lists its aliases as QEMU's does: "quit|q". */
static bool name_matches(const char *names, const char *name)
{
    size_t len = strlen(name);
    const char *p = names;

    for (;;) {
        size_t n = strcspn(p, "|");

        if (n == len && !strncmp(p, name, len)) {
            return true;
        }
        if (!p[n]) {
            return false;
        }
        p += n + 1;
    }
}

static const HmpCommand *find_command(const char *name)
{
    for (guint t = 0; hmp_tables && t < hmp_tables->len; t++) {
        for (const HmpCommand *c = g_ptr_array_index(hmp_tables, t); c->name;
             c++) {
            if (*name && name_matches(c->name, name)) {
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

/* QEMU's help line: "name params -- help", params possibly empty. */
static void print_info_line(GString *out, const HmpInfo *info)
{
    g_string_append_printf(out, "info %s %s -- %s\n", info->name,
                           info->params ? info->params : "", info->help);
}

static void print_info_help(GString *out)
{
    g_autoptr(GPtrArray) all = sorted_entries(info_tables, sizeof(HmpInfo));

    for (guint i = 0; i < all->len; i++) {
        print_info_line(out, g_ptr_array_index(all, i));
    }
}

static void print_command_line(GString *out, const HmpCommand *c)
{
    g_string_append_printf(out, "%s %s -- %s\n", c->name,
                           c->params ? c->params : "", c->help);
}

/* The "Try ..." line QEMU prints after a command's arguments failed. */
static void print_try_help(GString *out, const char *typed)
{
    g_string_append_printf(out, "Try \"help %s\" for more information\n",
                           typed);
}

/* help [cmd [subcmd]]: as QEMU, "help info" lists the info commands. */
static void hmp_help(GString *out, int argc, char **argv)
{
    g_auto(GStrv) words = g_strsplit_set(argc > 1 ? argv[1] : "", " \t", -1);
    g_autoptr(GPtrArray) all = NULL;
    const char *name = NULL, *sub = NULL;
    const HmpCommand *cmd;

    for (int i = 0; words[i]; i++) {
        if (!*words[i]) {
            continue;
        }
        if (!name) {
            name = words[i];
        } else if (!sub) {
            sub = words[i];
        }
    }
    if (!name) {
        all = sorted_entries(hmp_tables, sizeof(HmpCommand));
        for (guint i = 0; i < all->len; i++) {
            print_command_line(out, g_ptr_array_index(all, i));
        }
        return;
    }
    cmd = find_command(name);
    if (!cmd) {
        g_string_append_printf(out, "unknown command: '%s'\n", name);
    } else if (!g_str_equal(cmd->name, "info")) {
        print_command_line(out, cmd);
    } else if (!sub) {
        print_info_help(out);
    } else if (find_info(sub)) {
        print_info_line(out, find_info(sub));
    } else {
        g_string_append_printf(out, "unknown command: 'info %s'\n", sub);
    }
}

/* info NAME [ARG]: gets the rest of the line, so it can refuse extra words. */
static void hmp_info(GString *out, int argc, char **argv)
{
    g_autofree char *line = g_strstrip(g_strdup(argc > 1 ? argv[1] : ""));
    g_auto(GStrv) words = g_strsplit_set(line, " \t", 2);
    g_auto(GStrv) rest = NULL;
    const HmpInfo *info;

    if (!words[0] || !*words[0]) {
        print_info_help(out);
        return;
    }
    info = find_info(words[0]);
    if (!info) {
        g_string_append_printf(out, "unknown command: 'info %s'\n",
                               words[0]);
        return;
    }
    if (words[1] && info->fn_arg) {
        rest = g_strsplit_set(g_strchug(words[1]), " \t", 2);
    }
    if (words[1] && (!info->fn_arg || rest[1])) {
        g_autofree char *typed = g_strdup_printf("info %s", words[0]);

        g_string_append_printf(out, "%s: extraneous characters at the end "
                               "of line\n", info->name);
        print_try_help(out, typed);
        return;
    }
    if (info->fn_arg) {
        info->fn_arg(out, rest ? rest[0] : NULL);
    } else {
        info->fn(out);
    }
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
    /*
     * QEMU's texts.  Every argument of Tide's commands is a string, so a
     * missing one is always "string expected".
     */
    if (argc - 1 < cmd->min_args || argc - 1 > cmd->max_args) {
        g_string_append_printf(out, "%s: %s\n", cmd->name,
                               argc - 1 < cmd->min_args
                               ? "string expected"
                               : "extraneous characters at the end of line");
        print_try_help(out, name);
        return g_string_free(out, FALSE);
    }
    cmd->fn(out, argc, (char **)words->pdata);
    return g_string_free(out, FALSE);
}

static const HmpCommand hmp_builtin_commands[] = {
    { "help|?", "[cmd]", "show the help", 0, 1, true, hmp_help },
    { "info", "[subcommand]", "show various information about the system "
      "state", 0, 1, true, hmp_info },
    { NULL },
};

void hmp_core_commands_register(void)
{
    hmp_register_commands(hmp_builtin_commands);
}
