/* Reading a bundle's config.json (see bundle.h). */
#include "config.h"

#include "shim/bundle.h"

JsonObject *
shim_bundle_annotations (const char *bundle)
{
  g_autofree char *path = g_build_filename (bundle, "config.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *root;

  if (!json_parser_load_from_file (parser, path, NULL) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (root, "annotations")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "annotations")))
    return NULL;
  return json_object_ref (json_object_get_object_member (root, "annotations"));
}

char *
shim_bundle_annotation (const char *bundle, const char *key)
{
  g_autoptr (JsonObject) ann = shim_bundle_annotations (bundle);

  if (ann == NULL || !json_object_has_member (ann, key) || !JSON_NODE_HOLDS_VALUE (json_object_get_member (ann, key)))
    return NULL;
  return g_strdup (json_object_get_string_member (ann, key));
}
