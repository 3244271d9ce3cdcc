/* Fuzz target: the task API requests containerd sends the shim (containerd.task.v2, protobuf), decoded as the
 * shim's dispatcher decodes them (protobuf_c_message_unpack with the method's descriptor), then the fields the
 * shim acts on before it runs runsc: the "id" and "exec_id" strings every lookup reads, an Exec's exec_id (it
 * names a file in the bundle), and the runtime options of a Create (a google.protobuf.Any holding
 * runtimeoptions.v1.Options, whose config_body is a runsc.toml) or of the shim's start (its stdin). Options that
 * are accepted are saved as the shim saves them for its delete command and read back: what delete reads must be
 * what create applied.
 *
 * Input: a byte choosing the request type (modulo the number of types, the last being start's options), then the
 * message. Options naming a config_path (a file the shim would read) are left out: files are not the input. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtimeoptions.pb-c.h"
#include "shim/options.h"
#include "shim/process.h"
#include "task.pb-c.h"
#include "tests/fuzz/fuzz.h"
#include "wellknown.pb-c.h"

#define REQ(name) &containerd__task__v2__##name##__descriptor

static const ProtobufCMessageDescriptor *const requests[] = {
  REQ (state_request),   REQ (create_task_request), REQ (start_request),        REQ (delete_request),
  REQ (pids_request),    REQ (pause_request),       REQ (resume_request),       REQ (kill_request),
  REQ (exec_process_request), REQ (resize_pty_request), REQ (close_iorequest), REQ (update_task_request),
  REQ (wait_request),    REQ (stats_request),       REQ (connect_request),      NULL /* start's options */,
};

static char *bundle;

static const char *
request_string (const ProtobufCMessage *m, const char *name)
{
  const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name (m->descriptor, name);

  if (f == NULL || f->type != PROTOBUF_C_TYPE_STRING)
    return "";
  return *(const char *const *) ((const char *) m + f->offset);
}

static gboolean
same_string (const char *a, const char *b)
{
  return g_strcmp0 (a, b) == 0;
}

/* Save o as the shim does at create, read it back as its delete does: the same options. */
static void
save_and_load (const ShimOptions *o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ShimOptions) back = NULL;

  if (bundle == NULL)
    {
      bundle = g_dir_make_tmp ("fuzz-task-XXXXXX", NULL);
      if (bundle == NULL)
        abort ();
    }
  if (!shim_options_save (o, bundle, &error))
    abort (); /* the file system, not the input */
  back = shim_options_load_saved (bundle, "k8s.io", &error);
  if (back == NULL)
    __builtin_trap (); /* delete could not read what create saved */
  if (!same_string (back->binary_name, o->binary_name) || !same_string (back->root, o->root)
      || !same_string (back->log_path, o->log_path) || !same_string (back->log_level, o->log_level)
      || back->runsc_flags->len != o->runsc_flags->len)
    __builtin_trap ();
  for (guint i = 0; i < o->runsc_flags->len; i++)
    if (!same_string (g_ptr_array_index (back->runsc_flags, i), g_ptr_array_index (o->runsc_flags, i)))
      __builtin_trap ();
}

/* The options as the shim applies them (type_url and value of an Any). */
static void
apply_options (const char *type_url, const uint8_t *value, size_t len)
{
  g_autoptr (ShimOptions) o = shim_options_new ("k8s.io");
  g_autoptr (GError) error = NULL;
  Runtimeoptions__V1__Options *ro = runtimeoptions__v1__options__unpack (NULL, len, value);
  gboolean names_file = ro != NULL && ro->config_path != NULL && *ro->config_path;

  if (ro != NULL)
    runtimeoptions__v1__options__free_unpacked (ro, NULL);
  if (names_file)
    return;
  if (shim_options_apply_any_parts (o, type_url, value, len, "k8s.io", &error))
    {
      g_autofree char *log = shim_options_log_path (o, "0123456789abcdef");
      save_and_load (o);
    }
  else if (error == NULL)
    __builtin_trap ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const ProtobufCMessageDescriptor *d;
  ProtobufCMessage *m;

  if (size == 0)
    return 0;
  d = requests[data[0] % G_N_ELEMENTS (requests)];
  data++;
  size--;
  if (d == NULL)
    {
      Google__Protobuf__Any *any = google__protobuf__any__unpack (NULL, size, data);
      if (any != NULL)
        {
          apply_options (any->type_url, any->value.data, any->value.len);
          google__protobuf__any__free_unpacked (any, NULL);
        }
      return 0;
    }
  m = protobuf_c_message_unpack (d, NULL, size, data);
  if (m == NULL)
    return 0;
  /* What find_target reads of every request. */
  if (request_string (m, "id") == NULL || request_string (m, "exec_id") == NULL)
    __builtin_trap ();
  if (d == REQ (exec_process_request))
    {
      Containerd__Task__V2__ExecProcessRequest *req = (void *) m;
      if (shim_exec_id_valid (req->exec_id))
        {
          /* The exec's spec file stays in the bundle. */
          g_autofree char *path = g_strdup_printf ("%s/exec-%s.json", "/bundle", req->exec_id);
          g_autofree char *dir = g_path_get_dirname (path);
          if (strcmp (dir, "/bundle") != 0)
            __builtin_trap ();
        }
    }
  else if (d == REQ (create_task_request))
    {
      Containerd__Task__V2__CreateTaskRequest *req = (void *) m;
      if (req->options != NULL)
        apply_options (req->options->type_url, req->options->value.data, req->options->value.len);
    }
  protobuf_c_message_free_unpacked (m, NULL);
  return 0;
}
