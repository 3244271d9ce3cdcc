/* Reading mountinfo for the overlay a root filesystem is (see mountinfo.h). */
#include "config.h"

#include <string.h>

#include "container/mountinfo.h"

void
mountinfo_unescape (char *s)
{
  char *out = s;

  for (; *s != '\0'; s++)
    {
      if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7')
        {
          *out++ = (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
          s += 3;
        }
      else
        *out++ = *s;
    }
  *out = '\0';
}

char *
mountinfo_overlay_options (const char *path, const char *mountpoint)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  char *found = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER-OPTIONS */
  for (char **l = lines; *l != NULL; l++)
    {
      g_auto (GStrv) f = g_strsplit (*l, " ", -1);
      guint n = g_strv_length (f), sep;

      if (n < 10)
        continue;
      mountinfo_unescape (f[4]);
      if (strcmp (f[4], mountpoint) != 0)
        continue;
      for (sep = 6; sep < n && strcmp (f[sep], "-") != 0; sep++)
        ;
      if (sep + 3 >= n)
        continue;
      /* A later line at the same mount point is mounted over this one: only the last counts. */
      g_clear_pointer (&found, g_free);
      if (strcmp (f[3], "/") == 0 && strcmp (f[sep + 1], "overlay") == 0)
        found = g_strdup (f[sep + 3]);
    }
  return found;
}
