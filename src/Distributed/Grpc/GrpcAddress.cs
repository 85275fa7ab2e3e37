using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;

namespace A3cGrpc.Distributed;

/// <summary>
/// gRPC addresses as the services' options write them: <c>http://host:port</c> (h2c), <c>https://host:port</c>, or
/// <c>unix:/absolute/path.sock</c> (a Unix domain socket; Kestrel listens on the same path as <c>http://unix:/path</c>).
/// </summary>
public static class GrpcAddress
{
    /// <summary>The prefix of a Unix-socket address.</summary>
    public const string UnixPrefix = "unix:";

    /// <summary>Receive limit of our clients: the seed's weights are 541 KB; leave room for networks up to ~4M parameters.</summary>
    public const int ClientMaxReceiveMessageBytes = 16 * 1024 * 1024;

    /// <summary>A TCP port on the loopback interface that is free at the time of the call (for a local service).</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>True for an address <see cref="CreateChannel"/> understands.</summary>
    public static bool IsValid(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            return false;
        }

        if (address.StartsWith(UnixPrefix, StringComparison.Ordinal))
        {
            return Path.IsPathRooted(address[UnixPrefix.Length..]);
        }

        return Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
    }

    /// <summary>The Kestrel URL that listens where <paramref name="address"/> points (for <c>--urls</c>).</summary>
    public static string ToListenUrl(string address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        return address.StartsWith(UnixPrefix, StringComparison.Ordinal) ? "http://unix:" + address[UnixPrefix.Length..] : address;
    }

    /// <summary>
    /// A channel to <paramref name="address"/>: one pooled HTTP/2 connection handler with a 1 MiB stream window
    /// (weights move in one window instead of several round trips) and keep-alive pings, so a dead peer is noticed.
    /// </summary>
    /// <exception cref="ArgumentException">The address is not valid (see <see cref="IsValid"/>).</exception>
    public static GrpcChannel CreateChannel(string address, int maxReceiveMessageBytes = ClientMaxReceiveMessageBytes)
    {
        if (!IsValid(address))
        {
            throw new ArgumentException($"'{address}' is not a gRPC address (http(s)://host:port or unix:/absolute/path).", nameof(address));
        }

        var handler = new SocketsHttpHandler
        {
            InitialHttp2StreamWindowSize = 1 << 20,
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        var target = address;
        if (address.StartsWith(UnixPrefix, StringComparison.Ordinal))
        {
            var endPoint = new UnixDomainSocketEndPoint(address[UnixPrefix.Length..]);
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
            target = "http://localhost";
        }

        return GrpcChannel.ForAddress(target, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = maxReceiveMessageBytes,
            MaxSendMessageSize = maxReceiveMessageBytes,
        });
    }
}
