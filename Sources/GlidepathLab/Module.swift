// Module GlidepathLab: see ARCHITECTURE.md.
