// Module GlidepathTensor: see ARCHITECTURE.md.
