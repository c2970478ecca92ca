import ArgumentParser

/// The `glidepath` command: schedules, data, training runs and studies.
@main
struct GlidepathCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glidepath",
        abstract: "Learning-rate schedules that adapt to training.",
        subcommands: [
            ScheduleCommand.self,
            DataCommand.self,
            RunsCommand.self,
            TrainCommand.self,
            ProbeCommand.self,
            DemoCommand.self,
            MetaTrainCommand.self,
            LRFindCommand.self,
            StudyCommand.self,
        ])
}
