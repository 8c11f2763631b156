package dev.kiln.processor.model;

import dev.kiln.dsl.Granularity;
import java.util.List;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.TypeMirror;

/** The class named by {@code @Annealed}, as the processor understood it. */
public sealed interface ScheduleModel {
  /**
   * A declarative schedule: an {@code @AnnealingSchedule} class and its phases in source order.
   *
   * @param origin the class and its {@code @AnnealingSchedule} annotation
   */
  record PhasedScheduleModel(TypeElement type, Granularity granularity, List<PhaseModel> phases, Origin origin)
      implements ScheduleModel {
    public PhasedScheduleModel {
      phases = List.copyOf(phases);
    }
  }

  /** A class implementing {@code dev.kiln.dsl.Schedule}, created and evaluated on the host. */
  record HostScheduleModel(TypeElement type) implements ScheduleModel {}

  /**
   * A class that is neither: an error to report.
   *
   * @param hasPhaseAnnotations whether it carries phase annotations (and so only lacks
   *     {@code @AnnealingSchedule})
   */
  record UnrecognisedSchedule(TypeMirror type, boolean hasPhaseAnnotations) implements ScheduleModel {}
}
