/* The state store: placeholder. */
#pragma once
