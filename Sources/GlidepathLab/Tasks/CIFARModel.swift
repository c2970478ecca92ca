import GlidepathData

/// The `cifar10-cnn` variant (`--cifar-model`), recorded with every CIFAR-10 run.
///
/// Both are the seed's two-block CNN (conv 3→32, conv 32→64, each 3×3 padding 1 → ReLU → MaxPool 2; Linear
/// 4096→256 → ReLU → Linear 256→10). ``improved`` is the seed's final `ImprovedCNN` and its training
/// pipeline: `nn.Dropout(p=0.5)` after the first fully connected layer's ReLU, and the training images
/// transformed by `RandomHorizontalFlip()`, `RandomRotation(10)` and `ColorJitter(0.2, 0.2, 0.2, 0.2)`
/// before `ToTensor()` (``SeedAugmentation``; no `Normalize`, as in the seed). Evaluation and the
/// landscape probes run the model with dropout off and read unaugmented images.
public enum CIFARModel: String, Codable, Sendable, CaseIterable {
    /// Today's model: no dropout, no augmentation (the default).
    case standard
    /// The seed's `ImprovedCNN` with dropout 0.5 and its augmented training pipeline.
    case improved

    /// The dropout probability after the hidden layer, if any.
    public var hiddenDropout: Float? {
        switch self {
        case .standard: return nil
        case .improved: return 0.5
        }
    }

    /// The training images' transforms, if any.
    public var augmentation: SeedAugmentation? {
        switch self {
        case .standard: return nil
        case .improved: return .seed
        }
    }
}
