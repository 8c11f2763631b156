package dev.kiln.runtime.step;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A layer whose width training learns ({@code GraphBuilder.gates} or {@code softSize}).
 *
 * @param layer the layer's name: its width is logged as {@code size/<layer>}
 * @param liveUnits how many of its units are alive (a gate at its threshold or above; a soft size
 *     scale of one half or more), as a float32 scalar
 */
public record LearnedWidth(String layer, Operand<TFloat32> liveUnits) {}
