using System.CommandLine;
using System.Globalization;
using Makemore.Cli.Commands;
using Makemore.ML.Sampling;
using Makemore.ML.TorchSharp.Kinds;
using Makemore.ML.TorchSharp.Training;

namespace Makemore.Cli.Internal;

/// <summary>
/// The flags of one kind's <c>makemore train KIND</c>: those every run has, the kind's own settings (from its
/// descriptor, with its defaults), the training loop's where the kind trains with it, and distillation's where it can.
/// </summary>
internal sealed class TrainFlags
{
    public TrainFlags(ModelKind kind)
    {
        object defaults = kind.CreateOptions();
        Settings = kind.Settings.Select(s => (s, OptionFor(s, defaults))).ToArray();
        var all = new List<Option>
        {
            Input, Output, Split, Seed, SplitSeed, Samples, Quiet, Json, TopK, SampleOnly, Unknown, MaxNameLength,
        };
        all.AddRange(Settings.Select(s => s.Option));
        if (kind.TrainingOf(defaults) is { } training)
            all.AddRange(TrainingOptionsFor(training));
        if (defaults is IDistillationOptions distillation)
        {
            Teacher = new Option<string?>("--teacher") { Description = "Distil this saved model (any kind, an interpolation too; the same input file and split): each training target mixes its next-character distribution with the character seen" };
            TeacherWeight = new Option<double>("--teacher-weight") { Description = "With --teacher: the teacher's share of each training target, in (0, 1]", DefaultValueFactory = _ => distillation.TeacherWeight }.Positive();
            AllowOtherData = new Option<bool>(SameData.OptOutFlag) { Description = "With --teacher: accept a teacher trained on another file or split (then no figure is a test figure)" };
            all.AddRange([Teacher, TeacherWeight, AllowOtherData]);
        }
        All = all;
    }

    /// <summary>Every flag, in the order the help lists them.</summary>
    public IReadOnlyList<Option> All { get; }

    /// <summary>The kind's settings and their flags.</summary>
    public IReadOnlyList<(KindSetting Setting, Option Option)> Settings { get; }

    public Option<string?> Input { get; } = CommonOptions.Input();

    public Option<string> Output { get; } = new("--output", "-o") { Description = "Where to save the model zip", DefaultValueFactory = _ => "names-model.zip" };

    public Option<string> Split { get; } = CommonOptions.Split("lecture");

    public Option<int> Seed { get; } = new Option<int>("--seed")
    {
        Description = $"Seed of the run: initialisation, batches, the samples shown (when not given, samples use {SamplingOptions.LectureSeed}) and, without --split-seed, --split random",
        DefaultValueFactory = _ => 42,
    }.Within(0);

    public Option<int> SplitSeed { get; } = CommonOptions.SplitSeed(seedAlias: false);

    public Option<int> Samples { get; } = new Option<int>("--samples") { Description = "Samples to show after training", DefaultValueFactory = _ => 10 }.Within(0);

    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "No progress output" };

    public Option<bool> Json { get; } = CommonOptions.Json();

    public Option<int> TopK { get; } = new Option<int>("--top-k") { Description = "Samples: keep only the k most likely characters at each step (0: all)", DefaultValueFactory = _ => 0 }.Within(0);

    public Option<bool> SampleOnly { get; } = new("--sample-only") { Description = "Do not train: load the model at -o and print samples (makemore.py's flag)" };

    public Option<string> Unknown { get; } = new("--unknown")
    {
        Description = "What the saved model does with a character outside its vocabulary (learned from the whole input file): error, skip or map (to one unknown symbol)",
        DefaultValueFactory = _ => "error",
    };

    public Option<int> MaxNameLength { get; } = new Option<int>("--max-name-length")
    {
        Description = "Leave out of the run (train, dev, test and vocabulary) the names longer than this, with a note saying how many",
    }.Within(1);

    public Option<string?>? Teacher { get; }

    public Option<double>? TeacherWeight { get; }

    public Option<bool>? AllowOtherData { get; }

    // A setting's flag, typed and range-checked as its value is, showing the kind's default.
    private static Option OptionFor(KindSetting setting, object defaults)
    {
        string description = setting.Default(defaults) is { } value ? $"{setting.Description} [default: {value}]" : setting.Description;
        return setting.Value switch
        {
            SettingValue.Whole => new Option<int?>(setting.Flag) { Description = description }.Within((int)setting.Minimum, (int)setting.Maximum),
            SettingValue.Positive => new Option<double?>(setting.Flag) { Description = description }.Positive(fitsFloat: true),
            SettingValue.NonNegative => new Option<double?>(setting.Flag) { Description = description }.NonNegative(fitsFloat: true),
            SettingValue.Switch => new Option<bool>(setting.Flag) { Description = description },
            SettingValue.Text => new Option<string?>(setting.Flag) { Description = description },
            _ => throw new ArgumentOutOfRangeException(nameof(setting), setting.Value, "Unknown setting value."),
        };
    }

    // The training loop's flags, each showing the kind's own default.
    private static IEnumerable<Option> TrainingOptionsFor(TrainingOptions training)
    {
        string lr = training.LearningRate.ToString("G", CultureInfo.InvariantCulture);
        yield return new Option<int?>("--steps") { Description = $"Gradient steps [default: {training.Steps}]" }.Within(1);
        yield return new Option<int?>("--batch-size") { Description = $"Examples per step [default: {training.BatchSize?.ToString(CultureInfo.InvariantCulture) ?? "the full batch"}]" }.Within(1);
        yield return new Option<double?>("--lr") { Description = $"Learning rate [default: {lr}]" }.Positive(fitsFloat: true);
        yield return new Option<string?>("--lr-schedule") { Description = $"step:N[,N…] (lr × 0.1 after each step N), cosine[:WARMUP] or constant [default: {Describe(training.Schedule)}]" };
        yield return new Option<string?>("--optimizer") { Description = $"sgd or adamw (makemore.py's settings) [default: {(training.Optimizer is AdamWOptions ? "adamw" : "sgd")}]" };
        yield return new Option<double?>("--weight-decay") { Description = "The optimizer's weight decay [default: adamw 0.01 (makemore.py's), sgd 0]" };
        yield return new Option<int?>("--eval-every") { Description = $"Evaluate on the whole dev part every N steps and keep the best model [default: {training.EvaluationInterval}]" }.Within(1);
        yield return new Option<int?>("--patience") { Description = "Stop after this many evaluations without a better dev loss [default: none]" };
        yield return new Option<string?>("--checkpoint") { Description = "Write a resumable checkpoint here (atomically) every --eval-every steps and at the end" };
        yield return new Option<string?>("--resume") { Description = "Continue from a checkpoint written with --checkpoint (same options and data)" };
        yield return new Option<double?>("--time-limit") { Description = $"Bound the whole command to this many minutes: training stops in time (keeping the best model on dev; a dev part too large to score in {TrainingOptions.Defaults.EvaluationTimeShare.ToString("P0", CultureInfo.InvariantCulture)} of it is evaluated on a seeded random sample, and says so) to leave a tenth for the final train/dev/test figures, which are scored on a random sample of a part that does not fit (and say so)" };
    }

    private static string Describe(LearningRateSchedule schedule) => schedule switch
    {
        ConstantSchedule => "constant",
        StepSchedule step => "step:" + string.Join(',', step.Changes.Select(c => c.AfterStep)),
        CosineSchedule cosine => $"cosine:{cosine.WarmupSteps}",
        _ => schedule.GetType().Name,
    };
}
