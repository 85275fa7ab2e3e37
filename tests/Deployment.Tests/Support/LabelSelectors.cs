using k8s.Models;

namespace A3cGrpc.Deployment.Tests.Support;

/// <summary>Kubernetes label selector semantics: a Service's map, and a <see cref="V1LabelSelector"/>.</summary>
internal static class LabelSelectors
{
    /// <summary>A Service-style selector: every pair present. An empty or missing map selects nothing (as for a Service).</summary>
    public static bool Matches(IDictionary<string, string>? selector, IDictionary<string, string> labels) =>
        selector is { Count: > 0 } && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    /// <summary>A <see cref="V1LabelSelector"/>: matchLabels and matchExpressions; an empty selector selects everything.</summary>
    public static bool Matches(V1LabelSelector? selector, IDictionary<string, string> labels)
    {
        if (selector is null)
        {
            return false;
        }

        var pairs = selector.MatchLabels ?? new Dictionary<string, string>();
        if (!pairs.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value))
        {
            return false;
        }

        return (selector.MatchExpressions ?? []).All(expression =>
        {
            var has = labels.TryGetValue(expression.Key, out var value);
            var values = expression.Values ?? [];
            return expression.OperatorProperty switch
            {
                "In" => has && values.Contains(value!),
                "NotIn" => !has || !values.Contains(value!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => throw new InvalidOperationException($"Unknown selector operator {expression.OperatorProperty}."),
            };
        });
    }

    /// <summary>Whether a selector selects everything (empty matchLabels and matchExpressions).</summary>
    public static bool IsEmpty(V1LabelSelector selector) =>
        (selector.MatchLabels?.Count ?? 0) == 0 && (selector.MatchExpressions?.Count ?? 0) == 0;
}
