using System.Security.Cryptography;
using System.Text;
using Makemore.ML.Persistence;

namespace Makemore.ML.TorchSharp.Training;

/// <summary>
/// A training run saved so it can continue exactly: the module's parameters and buffers, the optimizer's state, the
/// step, the best dev loss (and its weights), the mini-batch generator's seed and state, the state of the network's own
/// generator (dropout masks) when it has one, a fingerprint of the options that decide the trajectory, the training data's
/// fingerprint and the model's vocabulary size. Written atomically; the file carries a SHA-256 of its content, so a damaged
/// or truncated checkpoint is refused, never resumed.
/// </summary>
public sealed class Checkpoint
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("MAKEMORE-CHECKPOINT\n");
    // The one format read: other versions were written by unreleased development versions and are refused.
    private const int FormatVersion = 3;
    private const int HeaderLength = 20 + 4 + 8 + 32; // magic, version, payload length, SHA-256

    internal Checkpoint(string optionsFingerprint, int step, long seed, double? bestDevLoss, int? bestStep, int evaluationsWithoutImprovement,
        byte[] moduleState, byte[] optimizerState, byte[] generatorState, byte[]? bestState, byte[]? networkGeneratorState,
        string dataFingerprint, int? vocabularySize, DevRows? devRows = null)
    {
        DevScored = devRows;
        DataFingerprint = dataFingerprint;
        VocabularySize = vocabularySize;
        NetworkGeneratorState = networkGeneratorState;
        OptionsFingerprint = optionsFingerprint;
        Step = step;
        Seed = seed;
        BestDevLoss = bestDevLoss;
        BestStep = bestStep;
        EvaluationsWithoutImprovement = evaluationsWithoutImprovement;
        ModuleState = moduleState;
        OptimizerState = optimizerState;
        GeneratorState = generatorState;
        BestState = bestState;
    }

    /// <summary>The last step done; a resumed run starts at Step + 1.</summary>
    public int Step { get; }

    /// <summary>The seed the mini-batch generator was created with (its state after <see cref="Step"/> is saved too).</summary>
    public long Seed { get; }

    /// <summary>The lowest dev loss seen so far, or null (no dev set, or no evaluation yet).</summary>
    public double? BestDevLoss { get; }

    /// <summary>The step that gave <see cref="BestDevLoss"/>.</summary>
    public int? BestStep { get; }

    /// <summary>
    /// The dev rows the run's evaluations scored, so that a resumed run compares its losses with <see cref="BestDevLoss"/>
    /// on the same rows: the whole dev set, or the seeded sample a time limit chose (the first rows of the seed's order).
    /// Null when no evaluation was made yet, or the checkpoint predates the record.
    /// </summary>
    internal DevRows? DevScored { get; }

    /// <summary>Dev evaluations since the best one, for <see cref="TrainingOptions.Patience"/>.</summary>
    public int EvaluationsWithoutImprovement { get; }

    /// <summary>SHA-256 (hex) of the options that decide the trajectory: optimizer, learning rate, schedule, batch size, seed.</summary>
    public string OptionsFingerprint { get; }

    /// <summary>
    /// The run's <see cref="TrainingOptions.DataFingerprint"/> (empty when it set none).
    /// </summary>
    public string DataFingerprint { get; }

    /// <summary>The symbols the model predicts over, or null: the model did not say.</summary>
    public int? VocabularySize { get; }

    /// <summary>The module's parameters and buffers, as TorchSharp's <c>Module.save</c> writes them.</summary>
    internal byte[] ModuleState { get; }

    /// <summary>The optimizer's state, as TorchSharp's <c>save_state_dict</c> writes it.</summary>
    internal byte[] OptimizerState { get; }

    /// <summary>The mini-batch generator's state (<c>Generator.get_state()</c> bytes).</summary>
    internal byte[] GeneratorState { get; }

    /// <summary>The parameters and buffers of the best dev evaluation, or null.</summary>
    internal byte[]? BestState { get; }

    /// <summary>The network's own generator's state (dropout masks), or null: the network has none.</summary>
    internal byte[]? NetworkGeneratorState { get; }

    /// <summary>Writes the checkpoint atomically: a temporary file beside <paramref name="path"/>, then a rename.</summary>
    internal void Write(string path)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(OptionsFingerprint);
            writer.Write(Step);
            writer.Write(Seed);
            writer.Write(BestDevLoss.HasValue);
            writer.Write(BestDevLoss ?? double.NaN);
            writer.Write(BestStep ?? 0);
            writer.Write(EvaluationsWithoutImprovement);
            foreach (byte[]? blob in new[] { ModuleState, OptimizerState, GeneratorState, BestState, NetworkGeneratorState })
            {
                writer.Write(blob?.Length ?? -1);
                if (blob is not null)
                    writer.Write(blob);
            }
            writer.Write(DataFingerprint);
            writer.Write(VocabularySize ?? 0);
            // Appended within format 3: a checkpoint without it reads as "not recorded".
            writer.Write(DevScored?.Scored ?? -1L);
            writer.Write(DevScored?.Total ?? -1L);
        }
        byte[] content = payload.ToArray();
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write((long)content.Length);
            writer.Write(SHA256.HashData(content));
            writer.Write(content);
        });
    }

    /// <summary>Reads a checkpoint written by <see cref="TrainingLoop"/>.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is of another format version, or is damaged (truncated or changed).</exception>
    public static Checkpoint Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"{path} is not a Makemore training checkpoint.");
        if (bytes.Length < HeaderLength)
            throw new InvalidDataException($"The checkpoint {path} is damaged: it is truncated ({bytes.Length} bytes, shorter than its header).");
        int version = BitConverter.ToInt32(bytes, Magic.Length);
        if (version > FormatVersion)
            throw new InvalidDataException($"The checkpoint {path} has format version {version}; this library reads version {FormatVersion}: upgrade the library.");
        if (version != FormatVersion)
            throw new InvalidDataException($"The checkpoint {path} was written by an unreleased development version of Makemore.ML (format {version}); train again without resuming.");
        long length = BitConverter.ToInt64(bytes, Magic.Length + 4);
        if (length != bytes.Length - HeaderLength)
            throw new InvalidDataException($"The checkpoint {path} is damaged: it should hold {length} bytes of state after its header, and holds {bytes.Length - HeaderLength}.");
        var content = bytes.AsSpan(HeaderLength);
        if (!SHA256.HashData(content).AsSpan().SequenceEqual(bytes.AsSpan(Magic.Length + 12, 32)))
            throw new InvalidDataException($"The checkpoint {path} is damaged: its SHA-256 does not match its content.");
        using var reader = new BinaryReader(new MemoryStream(bytes, HeaderLength, (int)length, writable: false), Encoding.UTF8);
        string fingerprint = reader.ReadString();
        int step = reader.ReadInt32();
        long seed = reader.ReadInt64();
        bool hasBest = reader.ReadBoolean();
        double best = reader.ReadDouble();
        int bestStep = reader.ReadInt32();
        int sinceBest = reader.ReadInt32();
        byte[]? ReadBlob()
        {
            int count = reader.ReadInt32();
            return count < 0 ? null : reader.ReadBytes(count);
        }
        byte[] module = ReadBlob() ?? [], optimizer = ReadBlob() ?? [], generator = ReadBlob() ?? [];
        byte[]? bestState = ReadBlob();
        byte[]? networkGenerator = ReadBlob();
        string data = reader.ReadString();
        int vocabulary = reader.ReadInt32();
        DevRows? devRows = null;
        if (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            long scored = reader.ReadInt64(), total = reader.ReadInt64();
            if (scored > 0 && total >= scored)
                devRows = new DevRows(scored, total);
        }
        return new Checkpoint(fingerprint, step, seed, hasBest ? best : null, hasBest ? bestStep : null, sinceBest, module, optimizer, generator, bestState,
            networkGenerator, data, vocabulary > 0 ? vocabulary : null, devRows);
    }
}

/// <summary>How many dev rows a run's evaluations scored (<paramref name="Scored"/>) of the dev set's <paramref name="Total"/>.</summary>
internal sealed record DevRows(long Scored, long Total);
