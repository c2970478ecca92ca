import Foundation

/// The content of `results.json`: every cell's endpoints and every statistic, machine-readable.
///
/// Shape (keys sorted, numbers in shortest round-trip form, +∞ as the string "Infinity"):
/// `report` (title, plan, scale, machine, code version, budget, options), `cells` (task, arm, seed, every
/// endpoint by its ``Endpoint`` name — `null` for a missed target — plus `epochsToTarget` and
/// `secondsToTarget`, the hard target's), `summary` (per task and arm: per endpoint n, reached, mean, sd,
/// median, ci95), `comparisons` (task, arm, baseline, endpoint, pairs, effect, effectStatistic, ci95,
/// pWilcoxon, pHolm, smallestAttainableP, smallestAttainableHolmP, ties, zeros, verdict, sentence),
/// `crossTask` (sign-flip and probability of improvement per arm, baseline and endpoint), `aggregates`
/// (mean rank, IQM and its ci95 per arm and endpoint) and `profiles` (endpoint, arms, tasks, ratios,
/// scores, rMax) and `speedups` (geometric-mean speedup per arm and baseline).
public struct ReportResults: Sendable, Equatable {
    public var input: ReportInput
    public var options: ReportOptions
    public var analysis: StudyAnalysis

    /// The figures of the report (the same SVGs as `figures/*.svg` and inline in `index.html`).
    public func figures() -> [ReportFigure] { ReportFigures.make(input, analysis: analysis, options: options) }

    /// The Markdown report (`report.md`).
    public func markdown() -> String {
        MarkdownRenderer.render(ReportDocument.blocks(input, analysis: analysis, options: options, figures: figures()))
    }

    /// The HTML report (`index.html`).
    public func html() -> String {
        HTMLRenderer.render(
            ReportDocument.blocks(input, analysis: analysis, options: options, figures: figures()),
            title: input.title)
    }

    /// Validates `input` and `options` and computes every statistic.
    public init(input: ReportInput, options: ReportOptions = ReportOptions()) throws(ReportError) {
        try input.validate()
        try options.validate()
        self.input = input
        self.options = options
        analysis = try StudyAnalysis(input, options: options)
    }

    /// The JSON document (deterministic bytes).
    public func json() -> String { document().serialised() + "\n" }

    func document() -> JSONValue {
        .object([
            "report": reportSection(),
            "cells": .array(input.cells.map(Self.cell)),
            "summary": .array(analysis.summaries.map(Self.summary)),
            "comparisons": .array(analysis.comparisons.map(Self.comparison)),
            "crossTask": .array(analysis.crossTask.map(Self.crossTask)),
            "aggregates": .array(analysis.aggregates.map(Self.aggregate)),
            "profiles": analysis.profile.map { Self.profile($0, endpoint: options.timeEndpoint) } ?? .null,
            "speedups": .array(
                analysis.speedups.map { s in
                    .object([
                        "arm": .string(s.arm), "baseline": .string(s.baseline), "speedup": .optional(s.speedup),
                        "tasks": .number(Double(s.tasks)), "armOnly": .number(Double(s.armOnly)),
                        "baselineOnly": .number(Double(s.baselineOnly)),
                    ])
                }),
        ])
    }

    private func reportSection() -> JSONValue {
        let budget = input.budget
        return .object([
            "title": .string(input.title), "plan": .string(input.planDescription), "scale": .string(input.scale),
            "machine": .string(input.machine), "codeVersion": .string(input.codeVersion),
            "notes": .array(input.notes.map(JSONValue.string)),
            "tasks": .array(
                input.tasks.map { task in
                    .object([
                        "name": .string(task.name), "summary": .string(task.summary),
                        "hardTarget": task.hardTarget.map(Self.target) ?? .null,
                        "easyTarget": task.easyTarget.map(Self.target) ?? .null,
                    ])
                }),
            "arms": .array(
                input.arms.map {
                    .object([
                        "name": .string($0.name), "summary": .string($0.summary), "selfTuning": .bool($0.selfTuning),
                    ])
                }),
            "baselines": .array(input.baselines.map(JSONValue.string)),
            "budget": .object([
                "cellsPlanned": .number(Double(budget.cellsPlanned)),
                "cellsFinished": .number(Double(budget.cellsFinished)),
                "cellsFailed": .number(Double(budget.cellsFailed)), "trainingSeconds": .number(budget.trainingSeconds),
                "wallSeconds": .optional(budget.wallSeconds), "passes": .optional(budget.passes),
                "failures": .array(budget.failures.map(JSONValue.string)),
            ]),
            "options": .object([
                "comparedEndpoints": .array(options.comparedEndpoints.map { .string($0.rawValue) }),
                "timeEndpoint": .string(options.timeEndpoint.rawValue),
                "bootstrapResamples": .number(Double(options.bootstrapResamples)),
                "bootstrapSeed": .string(String(options.bootstrapSeed)),
                "permutationResamples": .number(Double(options.permutationResamples)),
                "significanceLevel": .number(options.significanceLevel),
                "holmFamily": .string(options.holmFamily.rawValue),
            ]),
        ])
    }

    private static func target(_ target: ReportTarget) -> JSONValue {
        .object(["validationLoss": .number(target.validationLoss), "source": .string(target.source)])
    }

    private static func interval(_ interval: ConfidenceInterval?) -> JSONValue {
        interval.map { .array([.number($0.lower), .number($0.upper)]) } ?? .null
    }

    private static func cell(_ cell: ReportCell) -> JSONValue {
        var row: [String: JSONValue] = [
            "task": .string(cell.task), "arm": .string(cell.arm), "seed": .number(Double(cell.seed)),
        ]
        // Every recorded endpoint, and every measure of a missed target (`null`, see `ReportCell.value`).
        for endpoint in Endpoint.allCases where cell.endpoints[endpoint] != nil || cell.value(endpoint) == .infinity {
            row[endpoint.rawValue] = .optional(cell.endpoints[endpoint] ?? nil)
        }
        // The names for the hard target's epochs and seconds.
        row["epochsToTarget"] = row[Endpoint.epochsToHardTarget.rawValue]
        row["secondsToTarget"] = row[Endpoint.secondsToHardTarget.rawValue]
        return .object(row)
    }

    private static func summary(_ summary: ArmSummary) -> JSONValue {
        var endpoints = [String: JSONValue]()
        for (endpoint, entry) in summary.endpoints {
            endpoints[endpoint.rawValue] = .object([
                "n": .number(Double(entry.summary.count)), "reached": .number(Double(entry.summary.finiteCount)),
                "undefined": .number(Double(entry.undefined)),
                "mean": .optional(entry.summary.mean), "sd": .optional(entry.summary.standardDeviation),
                "median": .optional(entry.summary.median), "ci95": interval(entry.ci95),
                "ci95Of": .string(entry.intervalStatistic.rawValue),
            ])
        }
        return .object([
            "task": .string(summary.task), "arm": .string(summary.arm), "seeds": .number(Double(summary.seeds)),
            "endpoints": .object(endpoints),
        ])
    }

    private static func comparison(_ comparison: Comparison) -> JSONValue {
        .object([
            "task": .string(comparison.task), "arm": .string(comparison.arm), "baseline": .string(comparison.baseline),
            "endpoint": .string(comparison.endpoint.rawValue), "pairs": .number(Double(comparison.pairs)),
            "effect": .optional(comparison.effect), "effectStatistic": .string(comparison.effectStatistic.rawValue),
            "ci95": interval(comparison.ci95), "pWilcoxon": .optional(comparison.wilcoxon?.pValue),
            "pHolm": .optional(comparison.pHolm), "smallestAttainableP": .number(comparison.smallestAttainableP),
            "smallestAttainableHolmP": .number(comparison.smallestAttainableHolmP),
            "ties": .bool(comparison.wilcoxon?.hasTies ?? false),
            "zeros": .number(Double(comparison.wilcoxon?.zeros ?? 0)),
            "verdict": .string(comparison.verdict.rawValue), "sentence": .string(comparison.sentence),
        ])
    }

    private static func crossTask(_ item: CrossTaskComparison) -> JSONValue {
        .object([
            "arm": .string(item.arm), "baseline": .string(item.baseline), "endpoint": .string(item.endpoint.rawValue),
            "signFlipStatistic": .optional(item.signFlip?.statistic), "signFlipP": .optional(item.signFlip?.pValue),
            "signFlipPairs": .number(Double(item.signFlip?.pairs ?? 0)),
            "signFlipExact": .bool(item.signFlip?.isExact ?? false),
            "probabilityOfImprovement": .optional(item.probabilityOfImprovement),
            "probabilityCI95": interval(item.probabilityCI95),
        ])
    }

    private static func aggregate(_ item: CrossTaskAggregate) -> JSONValue {
        .object([
            "arm": .string(item.arm), "endpoint": .string(item.endpoint.rawValue), "meanRank": .optional(item.meanRank),
            "rankedTasks": .number(Double(item.rankedTasks)), "iqm": .optional(item.iqm),
            "iqmCI95": interval(item.iqmCI95),
        ])
    }

    private static func profile(_ profile: PerformanceProfile, endpoint: Endpoint) -> JSONValue {
        .object([
            "endpoint": .string(endpoint.rawValue), "arms": .array(profile.arms.map(JSONValue.string)),
            "tasks": .array(profile.tasks.map(JSONValue.string)),
            "ratios": .array(profile.ratios.map { .array($0.map(JSONValue.number)) }),
            "scores": .array(profile.scores.map(JSONValue.number)), "rMax": .number(profile.maximumRatio),
        ])
    }
}
