/* Every QOM type Tide has, registered in one place in a fixed order. */
#ifndef SYSTEM_TYPES_H
#define SYSTEM_TYPES_H

void types_register_all(void);

#endif
