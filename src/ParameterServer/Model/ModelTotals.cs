namespace A3cGrpc.ParameterServer.Model;

/// <summary>What the applied pushes add up to, at one model version (immutable; replaced as a whole per push).</summary>
/// <param name="Version">The model version (1 for the initial weights, +1 per applied push).</param>
/// <param name="EnvironmentSteps">Environment steps reported by applied pushes (all workers).</param>
/// <param name="Updates">Applied pushes (optimiser steps).</param>
/// <param name="Episodes">Training episodes reported by applied pushes.</param>
public sealed record ModelTotals(long Version, long EnvironmentSteps, long Updates, long Episodes);
