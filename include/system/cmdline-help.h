/* What -version, -device help and -object help print. */
#ifndef SYSTEM_CMDLINE_HELP_H
#define SYSTEM_CMDLINE_HELP_H

void cmdline_print_version(void);
void cmdline_print_device_list(void);
void cmdline_print_object_list(void);

#endif
