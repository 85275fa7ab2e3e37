using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp.Modules;
using static TorchSharp.torch;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace A3cGrpc.Learning;

/// <summary>The Adam settings a checkpoint was written with (for information: the optimiser's own settings are kept on load).</summary>
public sealed record OptimizerSettings(double LearningRate, double Beta1, double Beta2, double Epsilon);

/// <summary>What <see cref="CheckpointStore.Load"/> returns besides the restored weights and optimiser state.</summary>
/// <param name="Counters">The counters saved with the checkpoint.</param>
/// <param name="ExtraJson">The caller's own JSON saved with it, if any.</param>
/// <param name="SavedOptimizerSettings">The optimiser's settings when saved.</param>
/// <param name="SavedAtUtc">When it was written.</param>
public sealed record LoadedCheckpoint(
    TrainingCounters Counters,
    string? ExtraJson,
    OptimizerSettings SavedOptimizerSettings,
    DateTimeOffset SavedAtUtc);

/// <summary>
/// Checkpoints of a learner: the weights, the FULL Adam state (per parameter: step count, exp_avg, exp_avg_sq),
/// <see cref="TrainingCounters"/> and the caller's own JSON, in one file written atomically (a temporary file in the
/// same folder, flushed to disk, then renamed over the target). Loading restores the learner exactly: the same
/// further updates give bit-identical weights to a learner that never stopped (the caller's own state, such as
/// random streams and environments, is the caller's to restore).
/// </summary>
/// <remarks>
/// File layout (little-endian): 8-byte magic <c>A3CCKPT\x1A</c>, int32 format version, int32 header length, the
/// UTF-8 JSON header (counters, extra JSON, optimiser settings, and each parameter's name, shape and Adam step), then
/// per parameter in header order its weights, exp_avg and exp_avg_sq as float32, and last a SHA-256 of everything
/// before it. Parameters are matched by name, so the file does not depend on TorchSharp's own formats.
/// The optimiser's learning rate and betas are not overwritten on load (configuration wins); the saved ones are
/// returned in <see cref="LoadedCheckpoint.SavedOptimizerSettings"/>.
/// </remarks>
public static class CheckpointStore
{
    /// <summary>
    /// The format version this code writes. Version 2 adds the model's observation statistics to the header; version 1
    /// files (without them) are still read.
    /// </summary>
    public const int FormatVersion = 2;

    private const int HashLength = 32;
    private static readonly byte[] _magic = "A3CCKPT\u001A"u8.ToArray();

    /// <summary>Writes a checkpoint of <paramref name="model"/> and <paramref name="optimizer"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="path">Target file; its folder must exist. An existing file is replaced only once the new one is complete.</param>
    /// <param name="model">A float32 network.</param>
    /// <param name="optimizer">The Adam built over <paramref name="model"/>.</param>
    /// <param name="counters">Progress counters to save.</param>
    /// <param name="extraJson">The caller's own state (for example evaluation history) as a JSON document, or null.</param>
    /// <exception cref="ArgumentException">Bad counters, invalid JSON, or an optimiser/model that does not fit.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException">Writing or renaming failed (no temporary file is left behind).</exception>
    /// <exception cref="InvalidOperationException">A weight or optimiser moment is not finite: nothing is written, and the existing file stays.</exception>
    public static void Save(string path, ActorCritic model, AdamOptimizer optimizer, TrainingCounters counters, string? extraJson = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(counters);
        counters.Validate();
        if (extraJson is not null)
        {
            RequireJson(extraJson);
        }

        var parameters = NamedParameters(model);
        var states = AdamStates(model, parameters, optimizer);
        for (var i = 0; i < parameters.Count; i++)
        {
            if (!AllFinite(parameters[i].Parameter) || !AllFinite(states[i].ExpAvg) || !AllFinite(states[i].ExpAvgSq))
            {
                throw new InvalidOperationException(
                    $"Refusing to write checkpoint '{Path.GetFullPath(path)}': parameter '{parameters[i].Name}' or its optimiser state holds a non-finite value; the file on disk (the last good checkpoint) is kept.");
            }
        }

        var settings = new OptimizerSettings(optimizer.LearningRate, optimizer.Beta1, optimizer.Beta2, optimizer.Epsilon);

        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException($"Checkpoint path '{path}' has no folder.", nameof(path));
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Cannot save checkpoint '{fullPath}': folder '{directory}' does not exist.");
        }

        var header = new CheckpointHeader
        {
            Version = FormatVersion,
            SavedAtUtc = DateTimeOffset.UtcNow,
            Counters = counters,
            ExtraJson = extraJson,
            Optimizer = settings,
            ObservationStatistics = model.ObservationStatistics is { } statistics ? CheckpointStatistics.From(statistics) : null,
            Parameters = [.. parameters.Select((p, i) => new CheckpointParameter
            {
                Name = p.Name,
                Shape = [.. p.Parameter.shape.Select(d => checked((int)d))],
                AdamStep = states[i].Step,
            })],
        };
        var headerBytes = JsonSerializer.SerializeToUtf8Bytes(header, CheckpointJsonContext.Default.CheckpointHeader);

        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                void Write(ReadOnlySpan<byte> bytes)
                {
                    hash.AppendData(bytes);
                    stream.Write(bytes);
                }

                Span<byte> number = stackalloc byte[4];
                Write(_magic);
                BinaryPrimitives.WriteInt32LittleEndian(number, FormatVersion);
                Write(number);
                BinaryPrimitives.WriteInt32LittleEndian(number, headerBytes.Length);
                Write(number);
                Write(headerBytes);
                for (var i = 0; i < parameters.Count; i++)
                {
                    Write(Float32Bytes(parameters[i].Parameter));
                    Write(Float32Bytes(states[i].ExpAvg));
                    Write(Float32Bytes(states[i].ExpAvgSq));
                }

                stream.Write(hash.GetHashAndReset());
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Restores the weights of <paramref name="model"/> and the full state of <paramref name="optimizer"/> from
    /// <paramref name="path"/>. Everything is checked before anything is changed.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is corrupt or truncated, or does not match the model (names the parameter).</exception>
    /// <exception cref="ArgumentException">The optimiser does not optimise exactly the model's parameters.</exception>
    public static LoadedCheckpoint Load(string path, ActorCritic model, AdamOptimizer optimizer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        var parameters = NamedParameters(model);
        var states = AdamStates(model, parameters, optimizer);

        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"Checkpoint '{fullPath}' does not exist.", fullPath);
        }

        var bytes = File.ReadAllBytes(fullPath);
        var header = ReadHeader(bytes, fullPath, out var payloadOffset);
        var payload = bytes.AsSpan(payloadOffset, bytes.Length - HashLength - payloadOffset);
        CheckMatchesModel(header, parameters, payload.Length, fullPath);

        var statistics = ReadStatistics(header, model, fullPath);
        var floats = MemoryMarshal.Cast<byte, float>(payload);
        for (var i = 0; i < floats.Length; i++)
        {
            if (!float.IsFinite(floats[i]))
            {
                throw new InvalidDataException($"Checkpoint '{fullPath}' holds a non-finite value in its weights or optimiser state.");
            }
        }

        var offset = 0;
        using (no_grad())
        {
            for (var i = 0; i < parameters.Count; i++)
            {
                var count = (int)parameters[i].Parameter.numel();
                TensorData.CopyFrom(parameters[i].Parameter, floats.Slice(offset, count));
                TensorData.CopyFrom(states[i].ExpAvg, floats.Slice(offset + count, count));
                TensorData.CopyFrom(states[i].ExpAvgSq, floats.Slice(offset + (2 * count), count));
                states[i].Step = header.Parameters[i].AdamStep;
                offset += 3 * count;
            }
        }

        if (statistics is not null)
        {
            model.SetObservationStatistics(statistics);
        }

        return new LoadedCheckpoint(header.Counters, header.ExtraJson, header.Optimizer, header.SavedAtUtc);
    }

    private static CheckpointHeader ReadHeader(byte[] bytes, string path, out int payloadOffset)
    {
        var prefix = _magic.Length + 8;
        if (bytes.Length < prefix + HashLength || !bytes.AsSpan(0, _magic.Length).SequenceEqual(_magic))
        {
            throw new InvalidDataException($"'{path}' is not an A3cGrpc checkpoint (bad magic or too short: {bytes.Length} bytes).");
        }

        var expectedHash = bytes.AsSpan(bytes.Length - HashLength);
        var actualHash = SHA256.HashData(bytes.AsSpan(0, bytes.Length - HashLength));
        if (!expectedHash.SequenceEqual(actualHash))
        {
            throw new InvalidDataException($"Checkpoint '{path}' is corrupt or truncated (SHA-256 mismatch).");
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(_magic.Length));
        if (version is not (1 or FormatVersion))
        {
            throw new InvalidDataException($"Checkpoint '{path}' has format version {version}; this build reads versions 1 and {FormatVersion}.");
        }

        var headerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(_magic.Length + 4));
        if (headerLength <= 0 || headerLength > bytes.Length - prefix - HashLength)
        {
            throw new InvalidDataException($"Checkpoint '{path}' has an invalid header length ({headerLength}).");
        }

        CheckpointHeader? header;
        try
        {
            header = JsonSerializer.Deserialize(bytes.AsSpan(prefix, headerLength), CheckpointJsonContext.Default.CheckpointHeader);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"Checkpoint '{path}' has an unreadable header: {exception.Message}", exception);
        }

        if (header is null || header.Counters is null || header.Optimizer is null || header.Parameters is null)
        {
            throw new InvalidDataException($"Checkpoint '{path}' has an incomplete header.");
        }

        payloadOffset = prefix + headerLength;
        return header;
    }

    private static void CheckMatchesModel(CheckpointHeader header, List<NamedParameter> parameters, int payloadBytes, string path)
    {
        var saved = header.Parameters.ToDictionary(p => p.Name ?? string.Empty, StringComparer.Ordinal);
        foreach (var (name, parameter) in parameters)
        {
            if (!saved.TryGetValue(name, out var entry))
            {
                throw new InvalidDataException($"Checkpoint '{path}' does not match the model: parameter '{name}' is missing.");
            }

            if (entry.Shape is null || !entry.Shape.Select(d => (long)d).SequenceEqual(parameter.shape))
            {
                throw new InvalidDataException(
                    $"Checkpoint '{path}' does not match the model: parameter '{name}' has shape [{string.Join(", ", entry.Shape ?? [])}] in the file and [{string.Join(", ", parameter.shape)}] in the model.");
            }

            if (entry.AdamStep < 0)
            {
                throw new InvalidDataException($"Checkpoint '{path}' has a negative Adam step for parameter '{name}'.");
            }
        }

        var unknown = header.Parameters.FirstOrDefault(p => !parameters.Any(q => q.Name == p.Name));
        if (unknown is not null || header.Parameters.Count != parameters.Count)
        {
            throw new InvalidDataException(
                $"Checkpoint '{path}' does not match the model: it holds parameter '{unknown?.Name}', which the model does not have.");
        }

        for (var i = 0; i < parameters.Count; i++)
        {
            if (header.Parameters[i].Name != parameters[i].Name)
            {
                throw new InvalidDataException(
                    $"Checkpoint '{path}' lists its parameters in a different order than the model (position {i}: '{header.Parameters[i].Name}' vs '{parameters[i].Name}').");
            }
        }

        var expectedBytes = parameters.Sum(p => 3L * p.Parameter.numel() * sizeof(float));
        if (expectedBytes != payloadBytes)
        {
            throw new InvalidDataException($"Checkpoint '{path}' holds {payloadBytes} bytes of tensors; the model needs {expectedBytes}.");
        }
    }

    /// <summary>The observation statistics of the file, checked against what the model needs.</summary>
    private static ObservationStatistics? ReadStatistics(CheckpointHeader header, ActorCritic model, string path)
    {
        if (header.ObservationStatistics is not { } saved)
        {
            return model.NormalizesObservations
                ? throw new InvalidDataException($"Checkpoint '{path}' holds no observation statistics, but the model normalises observations.")
                : null;
        }

        if (!model.NormalizesObservations)
        {
            throw new InvalidDataException($"Checkpoint '{path}' holds observation statistics, but the model does not normalise observations.");
        }

        try
        {
            var statistics = new ObservationStatistics(saved.Count, saved.Mean, saved.M2);
            return statistics.Size == model.ObservationSize
                ? statistics
                : throw new InvalidDataException(
                    $"Checkpoint '{path}' holds observation statistics of {statistics.Size} values; the model observes {model.ObservationSize}.");
        }
        catch (ArgumentException exception)
        {
            throw new InvalidDataException($"Checkpoint '{path}' holds unusable observation statistics: {exception.Message}", exception);
        }
    }

    private readonly record struct NamedParameter(string Name, Parameter Parameter);

    private static List<NamedParameter> NamedParameters(ActorCritic model)
    {
        if (model.DType != ScalarType.Float32)
        {
            throw new ArgumentException($"Checkpoints hold float32 models; this one is {model.DType}.", nameof(model));
        }

        return [.. model.named_parameters().Select(p => new NamedParameter(p.name, p.parameter))];
    }

    /// <summary>The optimiser's per-parameter states, in the model's parameter order, after checking they belong together.</summary>
    private static IReadOnlyList<AdamOptimizer.Entry> AdamStates(ActorCritic model, List<NamedParameter> parameters, AdamOptimizer optimizer)
    {
        if (!optimizer.Optimizes(model))
        {
            throw new ArgumentException("The optimiser was built over another model.", nameof(optimizer));
        }

        var entries = optimizer.Entries;
        for (var i = 0; i < parameters.Count; i++)
        {
            if (entries[i].Name != parameters[i].Name || entries[i].ExpAvg.dtype != ScalarType.Float32)
            {
                throw new ArgumentException($"The optimiser state of '{parameters[i].Name}' does not fit the model.", nameof(optimizer));
            }
        }

        return entries;
    }

    private static bool AllFinite(Tensor tensor) => TensorPrimitives.IsFiniteAll(MemoryMarshal.Cast<byte, float>(Float32Bytes(tensor)));

    private static ReadOnlySpan<byte> Float32Bytes(Tensor tensor)
    {
        if (tensor.dtype != ScalarType.Float32 || !tensor.is_contiguous())
        {
            throw new ArgumentException($"Expected a contiguous float32 tensor, got {tensor.dtype}.", nameof(tensor));
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Checkpoints are written on little-endian machines only.");
        }

        return tensor.bytes;
    }

    private static void RequireJson(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
        }
        catch (JsonException exception)
        {
            throw new ArgumentException($"extraJson is not a valid JSON document: {exception.Message}", nameof(json), exception);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original error matters more.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort: the original error matters more.
        }
    }
}

/// <summary>The JSON header of a checkpoint file.</summary>
internal sealed class CheckpointHeader
{
    public string Format { get; set; } = "a3cgrpc.checkpoint";

    public int Version { get; set; }

    public DateTimeOffset SavedAtUtc { get; set; }

    public TrainingCounters Counters { get; set; } = new();

    public string? ExtraJson { get; set; }

    public OptimizerSettings Optimizer { get; set; } = new(0, 0, 0, 0);

    public CheckpointStatistics? ObservationStatistics { get; set; }

    public List<CheckpointParameter> Parameters { get; set; } = [];
}

/// <summary>The observation statistics in the checkpoint header (doubles round-trip exactly through JSON).</summary>
internal sealed class CheckpointStatistics
{
    public long Count { get; set; }

    public double[] Mean { get; set; } = [];

    public double[] M2 { get; set; } = [];

    public static CheckpointStatistics From(ObservationStatistics statistics) =>
        new() { Count = statistics.Count, Mean = statistics.Mean.ToArray(), M2 = statistics.M2.ToArray() };
}

/// <summary>One parameter's entry in the checkpoint header.</summary>
internal sealed class CheckpointParameter
{
    public string Name { get; set; } = string.Empty;

    public int[] Shape { get; set; } = [];

    public long AdamStep { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CheckpointHeader))]
internal sealed partial class CheckpointJsonContext : JsonSerializerContext;
