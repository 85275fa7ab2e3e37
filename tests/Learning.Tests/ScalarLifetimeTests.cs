using System.Reflection;
using System.Reflection.Emit;
using TorchSharp;
using static TorchSharp.torch;

namespace A3cGrpc.Learning.Tests;

/// <summary>
/// TorchSharp passes a <see cref="Scalar"/>'s native handle without keeping the managed object alive, and Scalars
/// have finalisers: a temporary Scalar (an implicit conversion from double passed straight into a call, or one made
/// inside TorchSharp by overloads such as <c>add(Tensor)</c>, <c>square()</c> or <c>softplus</c>) can be freed by
/// a garbage collection while LibTorch reads it. The learning code must therefore keep every Scalar in a field or a
/// <c>using</c> variable. This is checked on the compiled IL, which is deterministic (the race itself is rare).
/// </summary>
public sealed class ScalarLifetimeTests
{
    [Fact]
    public void LearningAssembly_AllMethods_PassNoTemporaryScalarsToTorchSharp()
    {
        var checker = new ScalarChecker();

        var offenders = typeof(ActorCritic).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(AllDeclared).Cast<MethodBase>().Concat(t.GetConstructors(AllDeclared)))
            .SelectMany(checker.Problems)
            .ToList();

        Assert.True(offenders.Count == 0, "Temporary Scalars:\n" + string.Join("\n", offenders));
    }

    [Theory]
    [InlineData(nameof(TemporaryScalarSample), true)]
    [InlineData(nameof(ScalarMadeInsideTorchSharpSample), true)]
    [InlineData(nameof(KeptScalarSample), false)]
    public void Problems_Samples_FlagOnlyTemporaryScalars(string method, bool flagged)
    {
        var checker = new ScalarChecker();

        var problems = checker.Problems(typeof(ScalarLifetimeTests).GetMethod(method, AllDeclared)!);

        Assert.Equal(flagged, problems.Any());
    }

    private const BindingFlags AllDeclared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static Tensor TemporaryScalarSample(Tensor t) => t.mul(0.5);

    private static Tensor ScalarMadeInsideTorchSharpSample(Tensor t) => t.add(t);

    private static Tensor KeptScalarSample(Tensor t)
    {
        using Scalar half = 0.5;
        return t.mul(half);
    }

    /// <summary>Reads IL: an implicit Scalar conversion must be stored at once; no call may reach a TorchSharp method that makes one itself.</summary>
    private sealed class ScalarChecker
    {
        private static readonly Dictionary<short, OpCode> _opCodes = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(o => o.Value);

        private readonly Assembly _torchSharp = typeof(Scalar).Assembly;
        private readonly Dictionary<MethodBase, bool> _makesScalar = [];

        public IEnumerable<string> Problems(MethodBase method)
        {
            var instructions = Decode(method);
            for (var i = 0; i < instructions.Count; i++)
            {
                var callee = instructions[i].Callee;
                if (callee is null)
                {
                    continue;
                }

                if (IsScalarConversion(callee))
                {
                    var next = i + 1 < instructions.Count ? instructions[i + 1].OpCode : OpCodes.Nop;
                    if (!next.Name!.StartsWith("stloc", StringComparison.Ordinal) && next != OpCodes.Stfld && next != OpCodes.Stsfld)
                    {
                        yield return $"{method.DeclaringType?.FullName}.{method.Name}: a temporary Scalar is passed on";
                    }
                }
                else if (callee.DeclaringType?.Assembly == _torchSharp && MakesScalar(callee, depth: 4))
                {
                    yield return $"{method.DeclaringType?.FullName}.{method.Name}: {callee.DeclaringType?.Name}.{callee} makes a temporary Scalar";
                }
            }
        }

        private static bool IsScalarConversion(MethodBase callee) =>
            callee.DeclaringType == typeof(Scalar) && (callee.Name == "op_Implicit" || callee.IsConstructor);

        private bool MakesScalar(MethodBase method, int depth)
        {
            if (_makesScalar.TryGetValue(method, out var known))
            {
                return known;
            }

            _makesScalar[method] = false; // breaks recursion
            var result = Decode(method).Any(instruction => instruction.Callee is { } callee &&
                (IsScalarConversion(callee) || (depth > 0 && callee.DeclaringType?.Assembly == _torchSharp && MakesScalar(callee, depth - 1))));
            _makesScalar[method] = result;
            return result;
        }

        private static List<(OpCode OpCode, MethodBase? Callee)> Decode(MethodBase method)
        {
            var result = new List<(OpCode, MethodBase?)>();
            var il = method.GetMethodBody()?.GetILAsByteArray();
            if (il is null)
            {
                return result;
            }

            var position = 0;
            while (position < il.Length)
            {
                var opCode = il[position] == 0xFE ? _opCodes[(short)(0xFE00 | il[position + 1])] : _opCodes[il[position]];
                position += opCode.Size;
                MethodBase? callee = null;
                if (opCode.OperandType == OperandType.InlineMethod)
                {
                    try
                    {
                        callee = method.Module.ResolveMethod(
                            BitConverter.ToInt32(il, position),
                            method.DeclaringType is { IsGenericType: true } type ? type.GetGenericArguments() : null,
                            method.IsGenericMethod ? method.GetGenericArguments() : null);
                    }
                    catch (Exception exception) when (exception is ArgumentException or BadImageFormatException or FileNotFoundException or TypeLoadException)
                    {
                        // A reference into an assembly that is not loaded here (for example TorchSharp's image helpers).
                    }
                }

                result.Add((opCode, callee));
                position += opCode.OperandType switch
                {
                    OperandType.InlineNone => 0,
                    OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                    OperandType.InlineVar => 2,
                    OperandType.InlineI8 or OperandType.InlineR => 8,
                    OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, position)),
                    _ => 4,
                };
            }

            return result;
        }
    }
}
