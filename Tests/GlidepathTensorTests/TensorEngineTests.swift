import Testing

/// The parent of every GlidepathTensor suite. Serialized because some tests change process-wide engine
/// settings (the thread count, which is OpenBLAS's global setting) that concurrent tests would observe.
@Suite(.serialized)
struct TensorEngineTests {}
