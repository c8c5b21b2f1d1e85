/* The memory manager: one logical VM size spread over every virtio-mem device. */
#ifndef HW_MEM_MEMORY_MANAGER_H
#define HW_MEM_MEMORY_MANAGER_H

#include <json-glib/json-glib.h>
#include "hw/mem/memory-manager-policy.h"
#include "qom/object.h"
#include "util/event.h"

#define TYPE_MEMORY_MANAGER "memory-manager"
#define MEMORY_MANAGER_PATH "/machine/memory-manager"

typedef enum MemoryManagerState {
    MM_STATE_SETTLED,       /* every device reached its target */
    MM_STATE_CONVERGING,    /* devices are moving */
    MM_STATE_STUCK,         /* the target cannot be reached now */
} MemoryManagerState;

typedef struct MMDevice MMDevice;

/*
 * The logical size is boot memory plus what the devices should hold.  It
 * is configuration: it survives resets (the devices unplug everything and
 * the guest plugs it back) and is re-applied after them.
 *
 * It talks to devices only through their requested-size property and
 * their size notifier.  Main loop thread, machine lock held.
 */
typedef struct MemoryManager {
    Object parent_obj;
    /* Properties. */
    uint64_t size;              /* the logical size; 0 until realize */
    int policy;                 /* MemoryManagerPolicy */
    char *weights;              /* "vm0=3,vm1=1" */
    uint32_t stuck_timeout;     /* seconds without progress */
    /* State. */
    uint64_t boot;              /* boot memory (-m) */
    GPtrArray *devices;         /* MMDevice *, in node order */
    MemoryManagerState state;
    guint timer;                /* progress checks while converging */
    uint64_t start_distance;    /* for progress: bytes to move at start */
    /* The most the devices may hold at once while converging. */
    uint64_t ceiling;
    uint64_t last_actual;
    EventThrottle balloon_event;
    bool applying;              /* our own requested-size writes */
    bool manual;                /* the plan is the operator's direct sizes */
} MemoryManager;

#define MEMORY_MANAGER(obj) OBJECT_CHECK(MemoryManager, (obj), TYPE_MEMORY_MANAGER)

/* The machine's manager, or NULL when it has no virtio-mem device. */
MemoryManager *memory_manager_get(void);
/*
 * Create /machine/memory-manager over every virtio-mem device present,
 * with options "size=,policy=,weights=,stuck-timeout=" (may be NULL).
 */
bool memory_manager_create(const char *opts, Error **errp);
void memory_manager_destroy(void);

/* Set the logical size: refused outside [boot, boot + capacity]. */
bool memory_manager_set_size(MemoryManager *mm, uint64_t size, Error **errp);
/* Boot memory plus what the devices hold now. */
uint64_t memory_manager_actual(MemoryManager *mm);
JsonNode *memory_manager_query(MemoryManager *mm);
char *memory_manager_hmp_text(MemoryManager *mm);

void memory_manager_register_types(void);

#endif
