/* Placeholder translation unit for a module archive that has no sources yet. */
typedef int stad_empty_module_unit;
