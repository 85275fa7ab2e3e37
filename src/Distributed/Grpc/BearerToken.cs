using System.Security.Cryptography;
using System.Text;
using Grpc.Core;

namespace A3cGrpc.Distributed;

/// <summary>Bearer tokens in gRPC metadata (<c>authorization: Bearer &lt;token&gt;</c>).</summary>
public static class BearerToken
{
    /// <summary>The metadata key (lower case, as HTTP/2 requires).</summary>
    public const string HeaderName = "authorization";

    /// <summary>The scheme prefix.</summary>
    public const string Scheme = "Bearer ";

    /// <summary>Metadata carrying <paramref name="token"/>.</summary>
    public static Metadata ToMetadata(string token) => new() { { HeaderName, Scheme + token } };

    /// <summary>True when <paramref name="headers"/> carry exactly <paramref name="expected"/> (compared in constant time).</summary>
    public static bool Matches(Metadata headers, string expected)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return Matches(headers.GetValue(HeaderName), expected);
    }

    /// <summary>True when the <c>authorization</c> header value <paramref name="value"/> is exactly <c>Bearer <paramref name="expected"/></c> (constant time).</summary>
    public static bool Matches(string? value, string expected)
    {
        ArgumentException.ThrowIfNullOrEmpty(expected);
        if (value is null || !value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = Encoding.UTF8.GetBytes(value[Scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(expected));
    }

    /// <summary>A new random token (32 bytes, base64url) for a local run.</summary>
    public static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
