/* The command sets the monitor itself provides. */
#ifndef MONITOR_COMMANDS_H
#define MONITOR_COMMANDS_H

void qom_commands_register(void);
void core_commands_register(void);
void memory_device_commands_register(void);
void balloon_commands_register(void);

#endif
