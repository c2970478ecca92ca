import Foundation
import Glidepath
import GlidepathLab
import GlidepathNN
import GlidepathStudy
import GlidepathTestSupport
import Testing

/// Study plans: the built-ins (golden JSON), strict decoding and validation naming the field, scaling,
/// cut-downs (issue 12, items 1 and 8).
@Suite("Study plans")
struct StudyPlanTests {
    /// A plan document with `arms` (JSON text) and otherwise a small valid plan.
    static func document(
        arms: String = #"[{"name": "a", "scheduler": {"name": "fixed"}}]"#,
        tuning: String = #"[{"protocol": "fixed"}]"#, extra: String = ""
    ) -> String {
        #"{"version": 1, "name": "t", "tasks": [{"task": "adult-mlp", "epochs": 2, "targets": {"hard": 0.4, "easy": 0.5}}], "#
            + #""arms": \#(arms), "seeds": [0, 1], "tuning": \#(tuning)\#(extra)}"#
    }

    static func error(_ text: String) -> StudyError? {
        do {
            _ = try StudyPlan.decode(Data(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    /// The field path an invalid-plan error names.
    static func field(_ text: String) -> String? {
        if case let .invalidPlan(field, _, _)? = error(text) { return field }
        return nil
    }

    @Test("the built-in plans print as their golden JSON")
    func builtInGolden() throws {
        expectGolden(try BuiltInPlan.landscapeStudy.plan(scale: .full).json() + "\n", named: "landscape-study.json")
        expectGolden(
            try BuiltInPlan.dlrsValidation.plan(scale: .reduced).json() + "\n", named: "dlrs-validation-reduced.json")
    }

    @Test("a built-in plan decodes back to itself", arguments: BuiltInPlan.allCases)
    func roundTrip(_ builtIn: BuiltInPlan) throws {
        for scale in [StudyScale.full, .reduced] {
            let plan = builtIn.plan(scale: scale)
            try plan.validate()
            #expect(try StudyPlan.decode(Data(try plan.json().utf8)) == plan)
        }
    }

    /// The seed's plan (`docs/tasks.md`, "The study plan") and pytorch-dlrs 0.3.0's protocol (`docs/dlrs.md`).
    @Test("the built-ins hold the seed's and pytorch-dlrs's numbers")
    func builtInNumbers() throws {
        let study = BuiltInPlan.landscapeStudy.plan(scale: .full)
        #expect(
            study.tasks.map { "\($0.task.rawValue) \($0.batchSize) \($0.epochs)" }
                == [
                    "cifar10-cnn 64 50", "mnist-cnn 64 50", "imdb-bilstm 32 20", "sst2-bilstm 32 20",
                    "adult-mlp 128 30",
                ])
        #expect(study.seeds == Array(0..<10))
        #expect(study.optimizer?.parameters.learningRate == 1e-3 && study.optimizer?.parameters.weightDecay == 5e-4)
        #expect(study.optimizer?.name.rawValue == "adam")
        #expect(
            study.arms.map(\.name) == [
                "constant", "step", "cosine", "landscape-stability", "landscape-quadratic",
                "landscape-noise", "landscape-step", "landscape-auto", "dlrs",
                "reduceOnPlateau", "mlrsnet", "scheduleFreeAdamW", "prodigy",
            ])
        #expect(study.arms.filter { !$0.isTuned }.map(\.name) == ["scheduleFreeAdamW", "prodigy"])
        #expect(study.arms.suffix(2).map { $0.optimizer?.name.rawValue } == ["scheduleFreeAdamW", "prodigy"])
        #expect(study.tuning == [.fixed, .tunedParity(grid: [3e-4, 1e-3, 3e-3], seed: 0)])
        // Each task keeps its own weight-decay scope: the text tasks exempt embedding and biases (docs/tasks.md).
        let scopes = study.tasks.map { task in
            RunConfiguration(
                task: task.task, scheduler: "fixed", schedulerConfiguration: .null, optimizer: study.optimizer,
                seed: 0, dataDirectory: "", threads: 1
            ).optimizer.weightDecayScope
        }
        #expect(scopes == [.all, .all, .weightsOnly, .weightsOnly, .all])
        let dlrs = BuiltInPlan.dlrsValidation.plan(scale: .full)
        #expect(
            dlrs.tasks.map { "\($0.task.rawValue) \($0.batchSize) \($0.epochs)" } == [
                "mnist-cnn 128 6", "cifar10-cnn 128 6",
            ])
        #expect(dlrs.seeds == [11, 12, 13, 14, 15])
        #expect(dlrs.tuning == [.tunedParity(grid: [0.01, 0.03, 0.1], seed: 0)])
        #expect(dlrs.optimizer?.name.rawValue == "sgd" && dlrs.optimizer?.parameters.momentum == 0.9)
        #expect(dlrs.optimizer?.parameters.weightDecay == 5e-4)
    }

    /// Reduced: epochs ⌈E·0.2⌉, training examples round(N·0.1) of the training part (54,000 for MNIST,
    /// 29,305 for Adult: `docs/tasks.md`, 90% of the official training split).
    @Test("--scale reduced applies its stated factors")
    func reducedScale() throws {
        let plan = BuiltInPlan.landscapeStudy.plan(scale: .reduced)
        #expect(plan.scale == StudyScale(name: .reduced, epochFactor: 0.2, trainingFraction: 0.1))
        #expect(plan.tasks.allSatisfy { $0.subsetSampling == .stratified }, "reduced training parts are stratified")
        #expect(plan.tasks.map(\.epochs) == [10, 10, 4, 4, 6])
        #expect(plan.tasks.map(\.trainingLimit) == [4500, 5400, 2250, 6061, 2931])
    }

    /// A limited task of a plan written before sampling (no `subsetSampling`) keeps the first N: its
    /// cells have no sampling field, so their hashes are those the plan always had, and their runs record
    /// file order; `"stratified"` cells record the sampling (another hash); a sampling without a limit is
    /// refused naming the field.
    @Test("subset sampling in plans and cells")
    func subsetSampling() throws {
        var plan = try BuiltInPlan.landscapeStudy.plan(scale: .full).cutDown(
            PlanCutDown(tasks: ["adult-mlp"], arms: ["constant"], seeds: [0], epochs: 1, evaluationLimit: 100),
            builtIn: "landscape-study")
        plan.tuning = [.fixed]
        let sampled = try plan.cells(threads: 1)
        #expect(sampled.count == 1 && sampled[0].configuration.subsetSampling == .stratified)
        plan.tasks[0].subsetSampling = nil
        let legacy = try plan.cells(threads: 1)
        #expect(legacy[0].configuration.subsetSampling == nil && legacy[0].id != sampled[0].id)
        let json = String(decoding: try StateCoding.encoder().encode(legacy[0].configuration), as: UTF8.self)
        #expect(!json.contains("subsetSampling"))
        let decoded = try JSONDecoder().decode(
            StudyTask.self, from: Data(#"{"task": "adult-mlp", "evaluationLimit": 100}"#.utf8))
        #expect(decoded.subsetSampling == nil)
        plan.tasks[0].evaluationLimit = nil
        plan.tasks[0].trainingLimit = nil
        plan.tasks[0].subsetSampling = .stratified
        #expect(throws: StudyError.self) { try plan.validate() }
    }

    @Test("cut-downs keep the listed tasks, arms and seeds and record how")
    func cutDown() throws {
        let plan = try BuiltInPlan.landscapeStudy.plan(scale: .full).cutDown(
            PlanCutDown(
                tasks: ["adult-mlp"], arms: ["cosine", "constant"], seeds: [0, 1], epochs: 3,
                trainingLimit: 500, evaluationLimit: 200), builtIn: "landscape-study")
        #expect(plan.tasks.map(\.task) == [.adultMLP] && plan.tasks[0].epochs == 3)
        #expect(plan.tasks[0].trainingLimit == 500 && plan.tasks[0].evaluationLimit == 200)
        #expect(plan.tasks[0].subsetSampling == .stratified)
        #expect(plan.arms.map(\.name) == ["constant", "cosine"])
        #expect(plan.seeds == [0, 1])
        #expect(
            plan.derivation == "landscape-study --scale full; --tasks adult-mlp --arms cosine,constant --seeds 0,1 "
                + "--epochs 3 --train-limit 500 --eval-limit 200")
        #expect(throws: StudyError.self) {
            try BuiltInPlan.landscapeStudy.plan(scale: .full).cutDown(PlanCutDown(tasks: ["cifar100"]), builtIn: "x")
        }
        let fixedOnly = try BuiltInPlan.landscapeStudy.plan(scale: .full).cutDown(
            PlanCutDown(protocols: ["fixed"]), builtIn: "x")
        #expect(fixedOnly.tuning == [.fixed])
        #expect(throws: StudyError.self) {
            try BuiltInPlan.dlrsValidation.plan(scale: .full).cutDown(PlanCutDown(protocols: ["fixed"]), builtIn: "x")
        }
    }

    @Test("bad plans are refused naming the field")
    func badPlans() {
        #expect(Self.error(Self.document()) == nil)
        #expect(Self.field(Self.document(extra: #", "colour": 1"#)) == "colour")
        #expect(
            Self.field(Self.document(arms: #"[{"name": "a", "scheduler": {"name": "fixed"}, "lr": 1}]"#))
                == "arms[0].lr")
        #expect(
            Self.field(Self.document(arms: #"[{"name": "a", "scheduler": {"name": "warp"}}]"#))
                == "arms[0].scheduler.name")
        #expect(
            Self.field(Self.document(arms: #"[{"name": "a", "scheduler": {"name": "cosine", "tmax": 3}}]"#))
                == "arms[0].scheduler.tmax")
        #expect(
            Self.field(
                Self.document(
                    arms: #"[{"name": "a", "scheduler": {"name": "fixed"}, "optimizer": {"name": "adam", "beta": 1}}]"#)
            )
                == "arms[0].optimizer.beta")
        #expect(
            Self.field(
                Self.document(
                    arms:
                        #"[{"name": "a", "scheduler": {"name": "fixed"}}, {"name": "a", "scheduler": {"name": "cosine"}}]"#
                ))
                == "arms[1].name")
        #expect(Self.field(Self.document(tuning: #"[{"protocol": "tunedParity", "grid": []}]"#)) == "tuning[0].grid")
        #expect(
            Self.field(Self.document(tuning: #"[{"protocol": "tunedParity", "grid": [0.1, -1]}]"#))
                == "tuning[0].grid[1]")
        #expect(Self.field(Self.document(tuning: #"[{"protocol": "grid"}]"#)) == "tuning[0].protocol")
        let unknownTask = Self.document().replacingOccurrences(of: "adult-mlp", with: "adult-svm")
        #expect(Self.field(unknownTask) == "tasks[0].task")
        let autoWithoutReference = Self.document().replacingOccurrences(of: "\"hard\": 0.4", with: "\"hard\": \"auto\"")
        #expect(Self.field(autoWithoutReference) == "referenceArm")
        #expect(Self.field(Self.document(extra: #", "referenceArm": "b""#)) == "referenceArm")
        #expect(
            Self.field(
                Self.document(extra: #", "seeds": [1, 1]"#.replacingOccurrences(of: ", \"seeds\"", with: ", \"seedz\""))
            ) == "seedz")
        let repeatedSeeds = Self.document().replacingOccurrences(of: "[0, 1]", with: "[1, 1]")
        #expect(Self.field(repeatedSeeds) == "seeds")
    }

    /// Every cell: 2 arms × (2 seeds fixed + 3 grid points) + 2 × 2 confirmations; a grid point equal to
    /// the fixed rate at the tuning seed is the same configuration, so the same cell.
    @Test("cells are enumerated per protocol and identified by their configuration's content")
    func cells() throws {
        let plan = try BuiltInPlan.landscapeStudy.plan(scale: .full).cutDown(
            PlanCutDown(tasks: ["adult-mlp"], arms: ["constant", "cosine"], seeds: [0, 1], epochs: 2), builtIn: "x")
        let before = try plan.cells(threads: 1)
        #expect(before.count == 10)
        let distinctBefore: Int = Set(before.map(\.id)).count
        #expect(distinctBefore == 8)
        let chosen = [TaskArm(task: .adultMLP, arm: "constant"): 3e-3, TaskArm(task: .adultMLP, arm: "cosine"): 3e-4]
        let after = try plan.cells(threads: 1, chosenRates: chosen)
        #expect(after.filter { $0.role == .confirmation }.map(\.learningRate) == [3e-3, 3e-3, 3e-4, 3e-4])
        #expect(
            after.filter { $0.role == .confirmation }.map(\.configuration.optimizer.parameters.learningRate) == [
                3e-3, 3e-3, 3e-4, 3e-4,
            ])
        let distinctAfter: Int = Set(after.map(\.id)).count
        #expect(distinctAfter == 8 + 2, "seed 0 at the chosen rate is its grid trial")
        // The identity is the configuration: another thread count is another cell, the same plan the same.
        #expect(try plan.cells(threads: 1).map(\.id) == before.map(\.id))
        #expect(Set(try plan.cells(threads: 2).map(\.id)).isDisjoint(with: before.map(\.id)))
        expectGolden(
            before.map {
                "\($0.id) \($0.task.rawValue) \($0.arm) seed \($0.seed) \($0.protocolName) \($0.role.rawValue) lr \($0.learningRate)"
            }
            .joined(separator: "\n") + "\n", named: "cell-ids.txt")
    }

    /// `"grid": {"lrFind": {…}}` reads the range test's configuration strictly, from its defaults.
    @Test("an lrFind grid decodes strictly and its trials wait for the range test")
    func lrFindGrid() throws {
        let text = Self.document(tuning: #"[{"protocol": "tunedParity", "grid": {"lrFind": {"updates": 40}}}]"#)
        let plan = try StudyPlan.decode(Data(text.utf8))
        guard case let .tunedParity(.lrFind(test), seed)? = plan.tuning.first else {
            Issue.record("expected an lrFind grid")
            return
        }
        #expect(test == LearningRateRangeTest.Configuration(updates: 40) && seed == 0)
        #expect(try StudyPlan.decode(Data(try plan.json().utf8)) == plan)
        #expect(
            Self.field(Self.document(tuning: #"[{"protocol": "tunedParity", "grid": {"lrFind": {"update": 40}}}]"#))
                == "tuning[0].grid.lrFind.update")
        #expect(
            Self.field(Self.document(tuning: #"[{"protocol": "tunedParity", "grid": {"lrFind": {"updates": 1}}}]"#))
                == "tuning[0].grid.lrFind.updates")
        #expect(
            Self.field(Self.document(tuning: #"[{"protocol": "tunedParity", "grid": {"range": {}}}]"#))
                == "tuning[0].grid.range")
        // No grid recorded yet: no trials; with one, a trial per rate.
        #expect(try plan.cells(threads: 1).isEmpty)
        let key = try #require(plan.lrFindTests.first?.key)
        #expect(plan.lrFindTests.count == 1)
        #expect(try plan.cells(threads: 1, grids: [key: [1e-3, 1e-2]]).map(\.learningRate) == [1e-3, 1e-2])
    }

    /// Steepest 0.01, valley 0.003, minimum 0.1 → {0.003, 0.01} (the minimum's tenth is the steepest).
    @Test("a range test's grid is its distinct suggestions, ascending")
    func gridFromSuggestions() throws {
        let none = RangeTestSuggestions(rates: [], smoothedLosses: [], skipStart: 0, skipEnd: 0)
        #expect(StudyPlan.grid(from: none).isEmpty)
        let json =
            #"{"steepest": {"rate": 0.01, "index": 0, "loss": 1}, "valley": {"rate": 0.003, "index": 0, "loss": 1}, "#
            + #""minimum": {"rate": 0.1, "index": 0, "loss": 1}}"#
        let suggestions = try JSONDecoder().decode(RangeTestSuggestions.self, from: Data(json.utf8))
        #expect(StudyPlan.grid(from: suggestions) == [0.003, 0.01])
    }

    /// An untuned arm has no grid trials: its confirmation cells run at its own rate from the start, and are
    /// the fixed protocol's cells (same configuration).
    @Test("an arm with tuneBaseRate false is not tuned")
    func untunedArm() throws {
        let plan = try BuiltInPlan.landscapeStudy.plan(scale: .full).cutDown(
            PlanCutDown(tasks: ["adult-mlp"], arms: ["prodigy"], seeds: [0, 1]), builtIn: "x")
        let cells = try plan.cells(threads: 1)
        #expect(cells.map(\.role) == [.fixed, .fixed, .confirmation, .confirmation])
        #expect(cells.prefix(2).map(\.id) == cells.suffix(2).map(\.id))
        #expect(plan.tunedPairs.isEmpty)
        #expect(Set(cells.map(\.learningRate)) == [ProdigyConfiguration().learningRate])
    }

    /// The step arm without stepSize decays every ⌊E/3⌋ epochs: 16 for 50 epochs, 1 for 2.
    @Test("a step arm without stepSize decays at every third of the budget")
    func stepFill() throws {
        let plan = BuiltInPlan.landscapeStudy.plan(scale: .full)
        let steps = try plan.cells(threads: 1).filter { $0.arm == "step" && $0.seed == 0 && $0.role == .fixed }
        #expect(
            steps.map { ($0.configuration.scheduler.parameters as? StepSchedule.Configuration)?.stepSize }
                == [16, 16, 6, 6, 10])
    }
}
