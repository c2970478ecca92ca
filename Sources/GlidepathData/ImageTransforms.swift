import Foundation

/// torchvision's image transforms on a float CHW image in [0, 1] (its tensor path: `ToTensor` first), one
/// function each, with the *parameters* a random transform draws (``SeedAugmentation`` draws them).
///
/// Every formula is torchvision 0.29's `transforms/_functional_tensor.py`, in Float32 as there:
/// - `hflip`: x ↦ width − 1 − x.
/// - `rotate(img, angle, NEAREST, expand=False, center=None, fill=0)`: the inverse affine matrix of
///   `_get_inverse_affine_matrix(center 0, −angle, …)` = [cos θ, −sin θ, 0; sin θ, cos θ, 0]; output pixel
///   (i, j) at x = j − w/2 + ½, y = i − h/2 + ½ samples the normalised grid point
///   g = (m₀x + m₁y, m₃x + m₄y) / (w/2, h/2) at source column ((gₓ + 1)·w − 1)/2 and row ((g_y + 1)·h − 1)/2
///   (`grid_sample`, `align_corners=False`), rounded half to even (nearest); outside the image, 0.
/// - `_blend(a, b, r)` = clamp(r·a + (1 − r)·b, 0, 1). Brightness: blend with 0. Contrast: blend with the
///   mean of the grayscale image. Saturation: blend with the grayscale image. Grayscale:
///   0.2989 r + 0.587 g + 0.114 b.
/// - hue: `_rgb2hsv`, h ↦ (h + factor) mod 1 (`torch.remainder`), `_hsv2rgb`.
///
/// Parity with torchvision: `Tests/GlidepathDataTests/AugmentationParityTests.swift` against
/// `scripts/fixtures/torchvision_augmentation.py`'s outputs. The seed applies these transforms to PIL images
/// (uint8) before `ToTensor`; PIL rounds to 8 bits after each transform and uses its own HSV conversion,
/// so the two paths differ by up to about 1/255 per transform. Glidepath follows the tensor path, whose
/// formulas torchvision documents and which needs no rounding.
public enum ImageTransforms {
    /// torchvision's `F.hflip` on `image` (`channels × height × width`).
    public static func horizontalFlip(_ image: [Float], channels: Int, height: Int, width: Int) -> [Float] {
        var output = image
        for row in 0..<(channels * height) {
            let start = row * width
            for x in 0..<width { output[start + x] = image[start + width - 1 - x] }
        }
        return output
    }

    /// torchvision's `F.rotate(image, degrees, InterpolationMode.NEAREST, expand=False, center=None,
    /// fill=0)`: counter-clockwise by `degrees` about the image centre.
    public static func rotate(_ image: [Float], channels: Int, height: Int, width: Int, degrees: Double) -> [Float] {
        let radians = -degrees * Double.pi / 180
        // _get_inverse_affine_matrix(center=[0, 0], angle=-degrees, translate 0, scale 1, shear 0).
        let a = cos(radians), b = -sin(radians), c = sin(radians), d = cos(radians)
        let matrix: [Float] = [Float(d), Float(-b), 0, Float(-c), Float(a), 0]
        let halfWidth = Float(0.5 * Double(width)), halfHeight = Float(0.5 * Double(height))
        let xScale = (matrix[0] / halfWidth, matrix[1] / halfWidth, matrix[2] / halfWidth)
        let yScale = (matrix[3] / halfHeight, matrix[4] / halfHeight, matrix[5] / halfHeight)
        let plane = height * width
        var output = [Float](repeating: 0, count: image.count)
        for i in 0..<height {
            let y = Float(i) + Float(-Double(height) * 0.5 + 0.5)
            for j in 0..<width {
                let x = Float(j) + Float(-Double(width) * 0.5 + 0.5)
                let gridX = x * xScale.0 + y * xScale.1 + xScale.2
                let gridY = x * yScale.0 + y * yScale.1 + yScale.2
                let sourceX = (((gridX + 1) * Float(width) - 1) / 2).rounded(.toNearestOrEven)
                let sourceY = (((gridY + 1) * Float(height) - 1) / 2).rounded(.toNearestOrEven)
                guard sourceX >= 0, sourceX <= Float(width - 1), sourceY >= 0, sourceY <= Float(height - 1) else {
                    continue
                }
                let source = Int(sourceY) * width + Int(sourceX)
                for channel in 0..<channels {
                    output[channel * plane + i * width + j] = image[channel * plane + source]
                }
            }
        }
        return output
    }

    /// torchvision's `_blend`: clamp(ratio·a + (1 − ratio)·b, 0, 1).
    @inline(__always)
    static func blend(_ a: Float, _ b: Float, ratio: Double) -> Float {
        min(max(Float(ratio) * a + Float(1 - ratio) * b, 0), 1)
    }

    /// torchvision's `rgb_to_grayscale` of pixel `index` of a 3-channel image.
    @inline(__always)
    static func gray(_ image: [Float], _ index: Int, plane: Int) -> Float {
        Float(0.2989) * image[index] + Float(0.587) * image[plane + index] + Float(0.114) * image[2 * plane + index]
    }

    /// `F.adjust_brightness(image, factor)`: blend with black.
    public static func adjustBrightness(_ image: [Float], factor: Double) -> [Float] {
        image.map { blend($0, 0, ratio: factor) }
    }

    /// `F.adjust_contrast(image, factor)` of an RGB image: blend with the mean grayscale value.
    public static func adjustContrast(_ image: [Float], channels: Int, height: Int, width: Int, factor: Double)
        -> [Float]
    {
        let plane = height * width
        var total = 0.0
        for index in 0..<plane { total += Double(gray(image, index, plane: plane)) }
        let mean = Float(total / Double(plane))
        return image.map { blend($0, mean, ratio: factor) }
    }

    /// `F.adjust_saturation(image, factor)` of an RGB image: blend with its grayscale image.
    public static func adjustSaturation(_ image: [Float], channels: Int, height: Int, width: Int, factor: Double)
        -> [Float]
    {
        let plane = height * width
        var output = image
        for index in 0..<plane {
            let value = gray(image, index, plane: plane)
            for channel in 0..<3 {
                output[channel * plane + index] = blend(image[channel * plane + index], value, ratio: factor)
            }
        }
        return output
    }

    /// `F.adjust_hue(image, factor)` of an RGB image, factor in [−0.5, 0.5]: rgb → hsv, h ↦ (h + factor)
    /// mod 1, hsv → rgb (torchvision's `_rgb2hsv` / `_hsv2rgb`).
    public static func adjustHue(_ image: [Float], channels: Int, height: Int, width: Int, factor: Double) -> [Float] {
        let plane = height * width
        var output = image
        let shift = Float(factor)
        for index in 0..<plane {
            let r = image[index], g = image[plane + index], b = image[2 * plane + index]
            // _rgb2hsv
            let maximum = max(r, g, b), minimum = min(r, g, b)
            let equal = maximum == minimum
            let range = maximum - minimum
            let saturation = range / (equal ? 1 : maximum)
            let divisor = equal ? 1 : range
            let rc = (maximum - r) / divisor, gc = (maximum - g) / divisor, bc = (maximum - b) / divisor
            let hr: Float = maximum == r ? bc - gc : 0
            let hg: Float = maximum == g && maximum != r ? 2 + rc - bc : 0
            let hb: Float = maximum != g && maximum != r ? 4 + gc - rc : 0
            var hue = fmodf(((hr + hg) + hb) / 6 + 1, 1)
            // (h + factor) % 1.0: torch.remainder, a − floor(a / b)·b.
            let shifted = hue + shift
            hue = shifted - (shifted / 1).rounded(.down) * 1
            // _hsv2rgb
            let sector = (hue * 6).rounded(.down)
            let fraction = hue * 6 - sector
            let value = maximum
            let p = min(max(value * (1 - saturation), 0), 1)
            let q = min(max(value * (1 - saturation * fraction), 0), 1)
            let t = min(max(value * (1 - saturation * (1 - fraction)), 0), 1)
            let rgb: (Float, Float, Float)
            switch ((Int(sector) % 6) + 6) % 6 {
            case 0: rgb = (value, t, p)
            case 1: rgb = (q, value, p)
            case 2: rgb = (p, value, t)
            case 3: rgb = (p, q, value)
            case 4: rgb = (t, p, value)
            default: rgb = (value, p, q)
            }
            output[index] = rgb.0
            output[plane + index] = rgb.1
            output[2 * plane + index] = rgb.2
        }
        return output
    }
}
