/// A subcommand that executes models on the CPU: the process keeps its freed activation buffers for reuse
/// (``ActivationMemory``). Others, `serve` above all, keep glibc's defaults: many threads allocating small
/// objects at once are better served by one arena per thread than by one for all.
protocol RunsModels {}

extension Consortium.Infer.Embed: RunsModels {}
extension Consortium.Infer.Score: RunsModels {}
extension Consortium.Infer.Bench: RunsModels {}
extension Consortium.Infer.BenchScore: RunsModels {}
extension Consortium.Eval.Exec: RunsModels {}
extension Consortium.Eval.Rerun: RunsModels {}
extension Consortium.RunnerCommand: RunsModels {}
