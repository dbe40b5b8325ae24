using Makemore.ML.Data;
using Makemore.ML.Evaluation;
using Makemore.ML.Inference;
using Makemore.ML.Tests;
using Makemore.ML.Text;
using Makemore.ML.Training;
using Makemore.ML.TorchSharp.Models;
using Makemore.ML.TorchSharp.Training;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Tests.Training;

/// <summary>
/// The shared training loop on the lecture's softmax regression, trained on the first names of the bundled
/// data/names.txt and evaluated on the next 300: each test a few hundred steps on a few thousand examples.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class TrainingLoopTests
{
    private static readonly Lazy<IReadOnlyList<string>> Names = new(() => NameList.Read(TestData.BundledNamesPath).Take(600).ToList());

    public TestContext TestContext { get; set; } = null!;

    /// <summary>A module, its loss, and train/dev examples; everything lives in the caller's dispose scope.</summary>
    private sealed record Problem(SoftmaxRegression Module, TrainableModel Model, ExampleSet Train, ExampleSet Dev,
        CharacterVocabulary Vocabulary, List<int[]> DevSequences)
    {
        public float[] Weights() => Module.W.detach().cpu().data<float>().ToArray();

        public double IndependentDevNll() => LanguageModelEvaluator.Evaluate(Module.ToModel(Vocabulary), DevSequences).NllPerCharacter;
    }

    private static Problem Create(int blockSize = 1, int trainNames = 300)
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.SetThreads(TorchRuntime.DefaultThreadCount);
        var names = Names.Value;
        var vocabulary = CharacterVocabulary.Learn(names);
        var train = names.Take(trainNames).Select(n => vocabulary.Encode(n)).ToList();
        var dev = names.Skip(300).Select(n => vocabulary.Encode(n)).ToList();
        using var generator = new Generator(2147483647);
        var module = new SoftmaxRegression(vocabulary.Size, blockSize, ContextEncoding.Joint, InputEncoding.Embedding, generator);
        var model = new TrainableModel(module, (x, y, w) => LossTerms.Of(Loss.Nll(module.call(x), y, w)));
        return new Problem(module, model, Examples(train, blockSize), Examples(dev, blockSize), vocabulary, dev);
    }

    private static ExampleSet Examples(IEnumerable<int[]> sequences, int blockSize, bool deduplicate = false)
    {
        var examples = TrainingExamples.Build(sequences, blockSize);
        if (deduplicate)
            examples = examples.Deduplicate();
        return new ExampleSet(tensor(examples.Contexts, [examples.Count, blockSize]), tensor(examples.Targets),
            deduplicate ? tensor(examples.Weights) : null);
    }

    private static TrainingOptions Sgd(int steps, double learningRate, int? batchSize = null) =>
        new() { Steps = steps, LearningRate = learningRate, BatchSize = batchSize, Optimizer = new SgdOptions() };

    private sealed class Recorder(Action<TrainingProgress>? onReport = null) : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = [];

        public void Report(TrainingProgress value)
        {
            Reports.Add(value);
            onReport?.Invoke(value);
        }
    }

    private sealed class Warnings : IProgress<string>
    {
        public List<string> Lines { get; } = [];

        public void Report(string value) => Lines.Add(value);
    }

    [TestMethod]
    public void AdamWLowersTheLossFasterThanSgdAtTheSameLearningRate()
    {
        using var scope = NewDisposeScope();
        double Final(OptimizerOptions optimizer)
        {
            var problem = Create();
            var result = TrainingLoop.Run(problem.Model, problem.Train,
                new() { Steps = 100, LearningRate = 0.1, BatchSize = 32, Seed = 1, Optimizer = optimizer });
            return result.History.TakeLast(10).Average(p => p.DataLoss);
        }
        double sgd = Final(new SgdOptions()), adamW = Final(new AdamWOptions());
        TestContext.WriteLine($"lr 0.1, 100 steps of 32: SGD {sgd:F4}, AdamW {adamW:F4} (mean of the last 10 batch losses)");
        Assert.IsLessThan(sgd - 0.3, adamW, "AdamW moves every weight by about lr per step; SGD by lr·gradient, tiny here");
    }

    [TestMethod]
    public void StepScheduleChangesTheLearningRateExactlyAtTheGivenStep()
    {
        using var scope = NewDisposeScope();
        var problem = Create();
        var recorder = new Recorder();
        var options = Sgd(10, 0.1);
        (options.Schedule, options.Progress) = (new StepSchedule((6, 0.01)), recorder);
        TrainingLoop.Run(problem.Model, problem.Train, options);
        CollectionAssert.AreEqual(new double?[] { 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.01 },
            recorder.Reports.Select(p => p.LearningRate).ToArray());

        // The lectures' "lr = 0.1 if i < 100000 else 0.01" (0-based i): 0.1 up to step 100,000, 0.01 from 100,001.
        var lecture = StepSchedule.Decay(0.1, 0.1, 100_000);
        Assert.AreEqual(0.1, lecture.At(100_000, 200_000, 0.1), 1e-15);
        Assert.AreEqual(0.01, lecture.At(100_001, 200_000, 0.1), 1e-15);
    }

    [TestMethod]
    public void CosineWarmupStartsNearZeroAndPeaksAtTheLearningRate()
    {
        using var scope = NewDisposeScope();
        var problem = Create();
        var options = Sgd(50, 2);
        options.Schedule = new CosineSchedule(WarmupSteps: 10, FinalFactor: 0.1);
        var rates = TrainingLoop.Run(problem.Model, problem.Train, options).History.Select(p => p.LearningRate!.Value).ToArray();
        Assert.AreEqual(0.2, rates[0], 1e-12, "step 1 of 10 warm-up steps: lr/10");
        Assert.AreEqual(2, rates.Max(), 1e-12);
        Assert.AreEqual(9, Array.IndexOf(rates, rates.Max()), "the peak is the last warm-up step");
        for (int i = 1; i < rates.Length; i++)
            Assert.IsTrue(i < 10 ? rates[i] > rates[i - 1] : rates[i] < rates[i - 1], $"step {i + 1}: up during warm-up, down after");
        Assert.AreEqual(0.2, rates[^1], 1e-12, "ends at FinalFactor·lr");
    }

    [TestMethod]
    public void DevEvaluationEqualsAnIndependentFullDevNll()
    {
        using var scope = NewDisposeScope();
        var problem = Create();
        var options = Sgd(20, 10);
        (options.EvaluationInterval, options.EvaluationChunkSize, options.RestoreBest) = (10, 37, false);
        var result = TrainingLoop.Run(problem.Model, problem.Train, options, problem.Dev);
        CollectionAssert.AreEqual(new[] { 10, 20 }, result.History.Where(p => p.DevLoss is not null).Select(p => p.Step).ToArray());
        double independent = problem.IndependentDevNll();
        TestContext.WriteLine($"dev NLL after 20 steps: loop {result.History[^1].DevLoss:F6}, C# evaluator {independent:F6}");
        Assert.AreEqual(independent, result.History[^1].DevLoss!.Value, 1e-5, "chunks of 37 weighted by their characters = the whole dev set");

        // Distinct events weighted by their counts: the same mean per predicted character.
        var weighted = Examples(problem.DevSequences, 1, deduplicate: true);
        Assert.IsLessThan(problem.Dev.Count, weighted.Count);
        Assert.AreEqual(independent, TrainingLoop.Evaluate(problem.Model, weighted, 50), 1e-5);
    }

    [TestMethod]
    public void ADevSampleFitsTheAllowanceAtTheMeasuredRate()
    {
        var second = TimeSpan.FromSeconds(1);
        const int minimum = 256;
        Assert.AreEqual(10_000, DevEvaluation.SampleSize(1_000_000, 1000, second, 10 * second, minimum), "1,000 rows a second for 10 s");
        Assert.AreEqual(5000, DevEvaluation.SampleSize(5000, 1000, second, 10 * second, minimum), "the whole set fits: all of it");
        Assert.AreEqual(minimum, DevEvaluation.SampleSize(10_000, 256, second, second / 10, minimum), "25.6 rows fit: the minimum");
        Assert.AreEqual(100, DevEvaluation.SampleSize(100, 100, second, second / 1000, minimum), "a set smaller than the minimum is scored whole");
        Assert.AreEqual(3000, DevEvaluation.SampleSize(3000, 3000, TimeSpan.Zero, second, minimum), "a rate too fast to measure: all of it");
    }

    [TestMethod]
    public void UnderATimeLimitTooShortForTheWholeDevSetEveryEvaluationScoresTheSameSeededSample()
    {
        using var scope = NewDisposeScope();
        var problem = Create();
        var options = Sgd(30, 10);
        // An hour's limit of which one evaluation may take 3.6 µs: no dev pass of 256 rows fits, so the sample is the minimum.
        (options.EvaluationInterval, options.RestoreBest, options.TimeLimit, options.EvaluationTimeShare, options.Seed) = (10, false, TimeSpan.FromHours(1), 1e-9, 11);
        var result = TrainingLoop.Run(problem.Model, problem.Train, options, problem.Dev);
        var expected = new DevSample(TrainingOptions.Defaults.MinimumDevSample, problem.Dev.Count, "windows", 11);
        Assert.AreEqual(expected, result.DevSample);
        var evaluations = result.History.Where(p => p.DevLoss is not null).ToList();
        CollectionAssert.AreEqual(new[] { 10, 20, 30 }, evaluations.Select(p => p.Step).ToArray());
        Assert.IsTrue(evaluations.All(p => p.DevSample == expected), "every evaluation says it is on the same sample");
        // The sample is the first rows of the dev set in the order Random(seed) shuffles it.
        var order = Enumerable.Range(0, (int)problem.Dev.Count).Select(i => (long)i).ToArray();
        new Random(11).Shuffle(order);
        double onSample = TrainingLoop.Evaluate(problem.Model, problem.Dev.Subset(order[..(int)expected.Size]), 4096);
        Assert.AreEqual(onSample, evaluations[^1].DevLoss!.Value, 1e-6, "the last dev loss is the final model's on those rows");
        double whole = problem.IndependentDevNll();
        TestContext.WriteLine($"dev NLL after 30 steps: sample of {expected.Size} of {expected.Total} windows {onSample:F6}, whole {whole:F6}");
        Assert.IsGreaterThan(1e-4, Math.Abs(whole - onSample), "a sample, not the whole dev set");
    }

    [TestMethod]
    public void AResumedRunScoresTheDevRowsItsCheckpointsBestWasMeasuredOn()
    {
        using var scope = NewDisposeScope();
        string folder = Directory.CreateTempSubdirectory("makemore-resume-sample-").FullName;
        try
        {
            string path = Path.Combine(folder, "run.ckpt");
            var problem = Create();
            // A run under a time limit that leaves room for the minimum sample only; its checkpoint's best is on that sample.
            var first = Sgd(20, 10);
            (first.EvaluationInterval, first.TimeLimit, first.EvaluationTimeShare, first.Seed, first.CheckpointPath) = (10, TimeSpan.FromHours(1), 1e-9, 11, path);
            var sampled = TrainingLoop.Run(problem.Model, problem.Train, first, problem.Dev);
            Assert.IsNotNull(sampled.DevSample);
            Assert.AreEqual(new DevRows(sampled.DevSample.Size, problem.Dev.Count), Checkpoint.Read(path).DevScored);

            // Resumed without a time limit (which alone would score the whole dev set): the same sample, so every loss
            // compares with the checkpoint's best.
            var resumed = Sgd(40, 10);
            (resumed.EvaluationInterval, resumed.Seed, resumed.ResumeFrom) = (10, 11, path);
            var result = TrainingLoop.Run(problem.Model, problem.Train, resumed, problem.Dev);
            Assert.AreEqual(sampled.DevSample, result.DevSample);
            Assert.IsTrue(result.History.Where(p => p.DevLoss is not null).All(p => p.DevSample == sampled.DevSample), "every evaluation on the sample");

            // A checkpoint of a run that scored the whole dev set resumes on the whole dev set, whatever the new limit.
            var whole = Sgd(20, 10);
            (whole.EvaluationInterval, whole.Seed, whole.CheckpointPath) = (10, 11, path);
            TrainingLoop.Run(Create().Model, problem.Train, whole, problem.Dev);
            Assert.AreEqual(new DevRows(problem.Dev.Count, problem.Dev.Count), Checkpoint.Read(path).DevScored);
            var limited = Sgd(40, 10);
            (limited.EvaluationInterval, limited.Seed, limited.ResumeFrom, limited.TimeLimit, limited.EvaluationTimeShare) = (10, 11, path, TimeSpan.FromHours(1), 1e-9);
            Assert.IsNull(TrainingLoop.Run(Create().Model, problem.Train, limited, problem.Dev).DevSample);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void TheTimeLimitIsMeasuredOnTheGivenClock()
    {
        using var scope = NewDisposeScope();
        var problem = Create();
        // A command that spent two hours before training (reading, building examples): its one-hour limit is past at step 1.
        var late = Sgd(50, 10);
        (late.TimeLimit, late.TimeLimitClock) = (TimeSpan.FromHours(1), () => TimeSpan.FromHours(2));
        var stopped = TrainingLoop.Run(problem.Model, problem.Train, late, problem.Dev);
        Assert.IsTrue(stopped.TimeLimitReached);
        Assert.AreEqual(1, stopped.LastStep);
        Assert.IsNotNull(stopped.History[^1].DevLoss, "the last step is evaluated");
        // A clock that stands still: a limit of one tick, past at once on the run's own time, is never reached.
        var still = Sgd(50, 10);
        (still.TimeLimit, still.TimeLimitClock) = (TimeSpan.FromTicks(1), () => TimeSpan.Zero);
        var whole = TrainingLoop.Run(problem.Model, problem.Train, still, problem.Dev);
        Assert.IsFalse(whole.TimeLimitReached);
        Assert.AreEqual(50, whole.LastStep);
    }

    /// <summary>A joint trigram on 60 names overfits: its dev loss falls, then rises.</summary>
    private static (Problem Problem, TrainingResult Result) Overfit(int? patience)
    {
        var problem = Create(blockSize: 2, trainNames: 60);
        var options = Sgd(300, 50);
        (options.EvaluationInterval, options.Patience) = (10, patience);
        return (problem, TrainingLoop.Run(problem.Model, problem.Train, options, problem.Dev));
    }

    [TestMethod]
    public void BestCheckpointRestoreGivesTheBestDevLossSeen()
    {
        using var scope = NewDisposeScope();
        var (problem, result) = Overfit(patience: null);
        var evaluations = result.History.Where(p => p.DevLoss is not null).ToList();
        TestContext.WriteLine(string.Join(", ", evaluations.Select(p => $"{p.Step}: {p.DevLoss:F4}")));
        Assert.IsLessThan(result.LastStep, result.BestStep!.Value, "the test needs a run whose last evaluation is not its best");
        Assert.AreEqual(evaluations.Min(p => p.DevLoss!.Value), result.BestDevLoss!.Value, 0.0);
        Assert.IsTrue(result.RestoredBest);
        Assert.AreEqual(result.BestDevLoss.Value, problem.IndependentDevNll(), 1e-5, "the module holds the best weights");
    }

    [TestMethod]
    public void EarlyStoppingStopsAfterPatienceEvaluations()
    {
        using var scope = NewDisposeScope();
        var (_, result) = Overfit(patience: 3);
        var evaluations = result.History.Where(p => p.DevLoss is not null).ToList();
        Assert.IsTrue(result.StoppedEarly);
        Assert.IsLessThan(300, result.LastStep);
        Assert.AreEqual(result.BestStep + 3 * 10, result.LastStep, "three evaluations, 10 steps apart, after the best");
        Assert.AreEqual(3, evaluations.Count(p => p.Step > result.BestStep));
        Assert.IsTrue(evaluations.Where(p => p.Step > result.BestStep).All(p => p.DevLoss >= result.BestDevLoss));
    }

    [TestMethod]
    [DataRow("sgd")]
    [DataRow("adamw")]
    public void ResumingFromACheckpointContinuesExactly(string optimizer)
    {
        using var scope = NewDisposeScope();
        string folder = Directory.CreateTempSubdirectory("makemore-resume-").FullName;
        try
        {
            string path = Path.Combine(folder, "run.ckpt");
            TrainingOptions Options(int steps) => new()
            {
                Steps = steps, BatchSize = 32, Seed = 5, EvaluationInterval = 5, EvaluationChunkSize = 500,
                LearningRate = optimizer == "sgd" ? 5 : 0.05,
                Optimizer = optimizer == "sgd" ? new SgdOptions(Momentum: 0.9) : new AdamWOptions(),
            };
            var straight = Create();
            var straightResult = TrainingLoop.Run(straight.Model, straight.Train, Options(40), straight.Dev);

            var first = Create();
            var firstOptions = Options(20);
            firstOptions.CheckpointPath = path;
            TrainingLoop.Run(first.Model, first.Train, firstOptions, first.Dev);
            Assert.AreEqual(20, Checkpoint.Read(path).Step);
            // Every run also evaluates at its last step: an interval dividing 20 makes both runs evaluate at the same steps.

            var resumed = Create(); // fresh random weights: the checkpoint replaces them
            var resumedOptions = Options(40);
            resumedOptions.ResumeFrom = path;
            var resumedResult = TrainingLoop.Run(resumed.Model, resumed.Train, resumedOptions, resumed.Dev);

            Assert.AreEqual(21, resumedResult.FirstStep);
            Assert.AreEqual(21, resumedResult.History[0].Step);
            Assert.AreEqual(straightResult.History[^1].Loss, resumedResult.History[^1].Loss, 1e-6, "step 40's loss");
            Assert.AreEqual(straightResult.BestDevLoss!.Value, resumedResult.BestDevLoss!.Value, 1e-6);
            Assert.AreEqual(straightResult.BestStep, resumedResult.BestStep);
            float[] a = straight.Weights(), b = resumed.Weights();
            Assert.AreEqual(0, a.Zip(b).Max(p => Math.Abs(p.First - p.Second)), 1e-6, "the final weights");

            var otherOptions = Options(40);
            (otherOptions.ResumeFrom, otherOptions.LearningRate) = (path, 1);
            var error = Assert.ThrowsExactly<ArgumentException>(() => TrainingLoop.Run(resumed.Model, resumed.Train, otherOptions));
            StringAssert.Contains(error.Message, "other training options");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ThePlainSgdUpdateIsTorchSharpsStepBitForBit()
    {
        // Plain SGD runs SgdOptions' own update (one scalar per step); a weight decay of 1e-300, which is 0 in float32,
        // sends the same run through TorchSharp's SGD.step. The weights must come out identical.
        using var scope = NewDisposeScope();
        var ours = Create();
        var theirs = Create();
        var plain = Sgd(30, 10, batchSize: 32);
        var throughStep = Sgd(30, 10, batchSize: 32);
        throughStep.Optimizer = new SgdOptions(WeightDecay: 1e-300);
        TrainingLoop.Run(ours.Model, ours.Train, plain);
        TrainingLoop.Run(theirs.Model, theirs.Train, throughStep);
        CollectionAssert.AreNotEqual(Create().Weights(), ours.Weights(), "the weights moved");
        CollectionAssert.AreEqual(theirs.Weights(), ours.Weights());
    }

    [TestMethod]
    public void ACheckpointOfAnotherFormatVersionIsRefused()
    {
        // Versions 1 and 2 were written only by unreleased development versions: refused with a reason, never resumed.
        using var scope = NewDisposeScope();
        string folder = Directory.CreateTempSubdirectory("makemore-checkpoint-version-").FullName;
        try
        {
            string path = Path.Combine(folder, "run.ckpt");
            var problem = Create();
            var options = Sgd(10, 10, batchSize: 16);
            options.CheckpointPath = path;
            TrainingLoop.Run(problem.Model, problem.Train, options);
            byte[] bytes = File.ReadAllBytes(path);
            const int magic = 20;
            Assert.AreEqual(3, BitConverter.ToInt32(bytes, magic), "written as version 3");
            Assert.AreEqual(10, Checkpoint.Read(path).Step);
            foreach ((int version, string reason) in new[] { (1, "unreleased development version"), (2, "unreleased development version"), (4, "upgrade the library") })
            {
                BitConverter.GetBytes(version).CopyTo(bytes, magic); // the SHA-256 covers the content, not the header
                string other = Path.Combine(folder, $"v{version}.ckpt");
                File.WriteAllBytes(other, bytes);
                var error = Assert.ThrowsExactly<InvalidDataException>(() => Checkpoint.Read(other), $"version {version}");
                StringAssert.Contains(error.Message, reason);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void CheckpointsAreWrittenAtomicallyAndADamagedOneIsRefused()
    {
        using var scope = NewDisposeScope();
        string folder = Directory.CreateTempSubdirectory("makemore-checkpoint-").FullName;
        try
        {
            string path = Path.Combine(folder, "run.ckpt");
            var problem = Create();
            var recorder = new Recorder(p =>
            {
                if (p.Step == 6)
                    Assert.AreEqual(5, Checkpoint.Read(path).Step, "written at step 5, the interval");
            });
            var options = Sgd(10, 10, batchSize: 16);
            (options.CheckpointPath, options.CheckpointInterval, options.Progress) = (path, 5, recorder);
            TrainingLoop.Run(problem.Model, problem.Train, options);
            CollectionAssert.AreEqual(new[] { "run.ckpt" }, Directory.GetFiles(folder).Select(Path.GetFileName).ToArray(), "no temporary file left");
            var checkpoint = Checkpoint.Read(path);
            Assert.AreEqual(10, checkpoint.Step);
            Assert.AreEqual(options.Seed, checkpoint.Seed);
            Assert.IsNull(checkpoint.BestDevLoss);

            byte[] bytes = File.ReadAllBytes(path);
            string damaged = Path.Combine(folder, "damaged.ckpt");
            bytes[bytes.Length / 2] ^= 0x40;
            File.WriteAllBytes(damaged, bytes);
            StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => Checkpoint.Read(damaged)).Message, "is damaged: its SHA-256");
            var resume = Sgd(20, 10, batchSize: 16);
            resume.ResumeFrom = damaged;
            Assert.ThrowsExactly<InvalidDataException>(() => TrainingLoop.Run(problem.Model, problem.Train, resume));

            File.WriteAllBytes(damaged, File.ReadAllBytes(path)[..^100]);
            StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => Checkpoint.Read(damaged)).Message, "is damaged: it should hold");
            File.WriteAllText(damaged, "emma\nolivia\n");
            StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => Checkpoint.Read(damaged)).Message, "not a Makemore training checkpoint");

            // A checkpoint of another model (a trigram's W) is refused, naming the mismatch.
            var trigram = Create(blockSize: 2);
            var wrongModel = Sgd(20, 10, batchSize: 16);
            wrongModel.ResumeFrom = path;
            StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => TrainingLoop.Run(trigram.Model, trigram.Train, wrongModel)).Message,
                "does not fit this model");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ResumingWithFewerStepsThanTheCheckpointIsRefused()
    {
        using var scope = NewDisposeScope();
        string folder = Directory.CreateTempSubdirectory("makemore-checkpoint-steps-").FullName;
        try
        {
            string path = Path.Combine(folder, "run.ckpt");
            var problem = Create();
            var first = Sgd(20, 10, batchSize: 16);
            first.CheckpointPath = path;
            TrainingLoop.Run(problem.Model, problem.Train, first);

            var fewer = Sgd(10, 10, batchSize: 16);
            fewer.ResumeFrom = path;
            var error = Assert.ThrowsExactly<ArgumentException>(() => TrainingLoop.Run(problem.Model, problem.Train, fewer));
            StringAssert.StartsWith(error.Message, $"The checkpoint {path} is at step 20, beyond this run's last step, 10: "
                + "resuming would train nothing and keep the step-20 model; give at least 20 steps");

            var same = Sgd(20, 10, batchSize: 16);
            same.ResumeFrom = path;
            Assert.IsEmpty(TrainingLoop.Run(problem.Model, problem.Train, same).History, "the run is already at its last step");
            var more = Sgd(30, 10, batchSize: 16);
            more.ResumeFrom = path;
            Assert.AreEqual(21, TrainingLoop.Run(problem.Model, problem.Train, more).FirstStep, "more steps than the first run go on from it");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ACheckpointThatCannotBeWrittenIsAWarningAndTrainingGoesOn()
    {
        using var scope = NewDisposeScope();
        string folder = Directory.CreateTempSubdirectory("makemore-checkpoint-fails-").FullName;
        try
        {
            // After step 3 the checkpoint's folder becomes a file: every later write fails, as on a full disk.
            string parent = Path.Combine(folder, "checkpoints");
            var problem = Create();
            var options = Sgd(10, 10, batchSize: 16);
            (options.CheckpointPath, options.CheckpointInterval) = (Path.Combine(parent, "run.ckpt"), 2);
            options.Progress = new Recorder(p =>
            {
                if (p.Step != 3)
                    return;
                Directory.Delete(parent, recursive: true);
                File.WriteAllText(parent, "in the way");
            });
            var warnings = new Warnings();
            options.Warnings = warnings;
            var result = TrainingLoop.Run(problem.Model, problem.Train, options);

            Assert.HasCount(10, result.History, "every step is trained");
            Assert.HasCount(1, warnings.Lines, "steps 4, 6, 8 and the last all fail: one warning");
            StringAssert.StartsWith(warnings.Lines[0], $"could not write the checkpoint {options.CheckpointPath} at step 4 (");
            var plain = Create();
            TrainingLoop.Run(plain.Model, plain.Train, Sgd(10, 10, batchSize: 16));
            CollectionAssert.AreEqual(plain.Weights(), problem.Weights(), "the same weights as a run without checkpoints");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ACheckpointResumesOnlyOnTheSameData()
    {
        using var scope = NewDisposeScope();
        string folder = Directory.CreateTempSubdirectory("makemore-checkpoint-data-").FullName;
        try
        {
            string path = Path.Combine(folder, "mid.ckpt");
            string names = "names.txt sha256:1a2b3c4d" + new string('0', 56), other = "other.txt sha256:9f8e7d6c" + new string('1', 56);
            var problem = Create();
            var first = Sgd(10, 10, batchSize: 16);
            (first.CheckpointPath, first.DataFingerprint) = (path, names);
            TrainingLoop.Run(problem.Model, problem.Train, first);
            Assert.AreEqual(names, Checkpoint.Read(path).DataFingerprint);

            var elsewhere = Sgd(20, 10, batchSize: 16);
            (elsewhere.ResumeFrom, elsewhere.DataFingerprint) = (path, other);
            var error = Assert.ThrowsExactly<ArgumentException>(() => TrainingLoop.Run(problem.Model, problem.Train, elsewhere));
            StringAssert.StartsWith(error.Message, $"The checkpoint {path} was written on other data (names.txt sha256:1a2b3c4d…) "
                + "than this run's (other.txt sha256:9f8e7d6c…); resume on the same data.");

            var same = Sgd(20, 10, batchSize: 16);
            (same.ResumeFrom, same.DataFingerprint) = (path, names);
            Assert.AreEqual(11, TrainingLoop.Run(problem.Model, problem.Train, same).FirstStep);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ACosineWarmupLongerThanTheRunIsAWarning()
    {
        using var scope = NewDisposeScope();
        var problem = Create();
        var options = Sgd(10, 2);
        var warnings = new Warnings();
        (options.Schedule, options.Warnings) = (new CosineSchedule(WarmupSteps: 1000), warnings);
        Assert.HasCount(10, TrainingLoop.Run(problem.Model, problem.Train, options).History, "the run goes on");
        CollectionAssert.AreEqual(new[]
        {
            "the cosine schedule's warm-up (1000 steps) is longer than the run (10 steps): the learning rate only rises, to 1 % of the base rate at the last step",
        }, warnings.Lines);
        options.Schedule = new CosineSchedule(WarmupSteps: 10);
        warnings.Lines.Clear();
        TrainingLoop.Run(problem.Model, problem.Train, options);
        Assert.IsEmpty(warnings.Lines, "a warm-up as long as the run peaks at its last step, as asked");
    }

    [TestMethod]
    public void CancellationKeepsTheWeightsOfTheStepsDone()
    {
        using var scope = NewDisposeScope();
        using var cancellation = new CancellationTokenSource();
        var problem = Create();
        var options = Sgd(50, 10, batchSize: 16);
        options.Progress = new Recorder(p =>
        {
            if (p.Step == 5)
                cancellation.Cancel();
        });
        options.CancellationToken = cancellation.Token;
        var result = TrainingLoop.Run(problem.Model, problem.Train, options);
        Assert.HasCount(5, result.History);
        Assert.IsTrue(result.Cancelled);

        var five = Create();
        TrainingLoop.Run(five.Model, five.Train, Sgd(5, 10, batchSize: 16));
        CollectionAssert.AreEqual(five.Weights(), problem.Weights(), "the weights after step 5");
    }
}
