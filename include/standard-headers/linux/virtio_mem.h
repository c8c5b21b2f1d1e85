/* The virtio-mem device ABI, from the virtio specification (1.2, 5.15; 1.4 for PERSISTENT_SUSPEND). */
#ifndef STANDARD_HEADERS_LINUX_VIRTIO_MEM_H
#define STANDARD_HEADERS_LINUX_VIRTIO_MEM_H

#include <stdint.h>

/* Little-endian on the wire; Tide runs on little-endian x86-64 hosts. */
typedef uint16_t le16;
typedef uint32_t le32;
typedef uint64_t le64;

#define VIRTIO_ID_MEM                           24

/* Feature bits. */
#define VIRTIO_MEM_F_ACPI_PXM                   0   /* node_id is an ACPI PXM */
#define VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE     1   /* never touch unplugged memory */
#define VIRTIO_MEM_F_PERSISTENT_SUSPEND         2   /* blocks survive suspend (1.4) */

/* Request types. */
#define VIRTIO_MEM_REQ_PLUG                     0
#define VIRTIO_MEM_REQ_UNPLUG                   1
#define VIRTIO_MEM_REQ_UNPLUG_ALL               2
#define VIRTIO_MEM_REQ_STATE                    3

struct virtio_mem_req_plug {
    le64 addr;
    le16 nb_blocks;
    le16 padding[3];
};

struct virtio_mem_req_unplug {
    le64 addr;
    le16 nb_blocks;
    le16 padding[3];
};

struct virtio_mem_req_state {
    le64 addr;
    le16 nb_blocks;
    le16 padding[3];
};

struct virtio_mem_req {
    le16 type;
    le16 padding[3];
    union {
        struct virtio_mem_req_plug plug;
        struct virtio_mem_req_unplug unplug;
        struct virtio_mem_req_state state;
    } u;
};

/* Response types. */
#define VIRTIO_MEM_RESP_ACK                     0
#define VIRTIO_MEM_RESP_NACK                    1
#define VIRTIO_MEM_RESP_BUSY                    2
#define VIRTIO_MEM_RESP_ERROR                   3

/* STATE results. */
#define VIRTIO_MEM_STATE_PLUGGED                0
#define VIRTIO_MEM_STATE_UNPLUGGED              1
#define VIRTIO_MEM_STATE_MIXED                  2

struct virtio_mem_resp_state {
    le16 state;
};

struct virtio_mem_resp {
    le16 type;
    le16 padding[3];
    union {
        struct virtio_mem_resp_state state;
    } u;
};

/* The device configuration layout; the driver only reads it. */
struct virtio_mem_config {
    le64 block_size;
    le16 node_id;
    uint8_t padding[6];
    le64 addr;
    le64 region_size;
    le64 usable_region_size;
    le64 plugged_size;
    le64 requested_size;
};

_Static_assert(sizeof(struct virtio_mem_req) == 24, "request is 24 bytes");
_Static_assert(sizeof(struct virtio_mem_resp) == 10, "response is 10 bytes");
_Static_assert(sizeof(struct virtio_mem_config) == 56, "config is 56 bytes");

#endif
