// Module GlidepathNN: see ARCHITECTURE.md.
