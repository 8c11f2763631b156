package dev.kiln.runtime.step;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A layer whose width training learns ({@code GraphBuilder.gates} or {@code softSize}).
 *
 * @param layer the layer's name: its width is logged as {@code size/<layer>}
 * @param variable the variable that holds what it learns: {@code <layer>/gates} or {@code <layer>/size}
 * @param units the layer's declared width
 * @param scale what each unit's output is multiplied by, {@code [units]}: the gates, or the soft size's scales
 * @param threshold a unit is alive while its scale is at this or above
 * @param liveUnits how many units are alive, as a float32 scalar
 */
public record LearnedWidth(
    String layer, String variable, long units, Operand<TFloat32> scale, double threshold, Operand<TFloat32> liveUnits) {}
