namespace A3cGrpc.Distributed;

/// <summary>
/// The TCP ports the services listen on in containers (the images' <c>ASPNETCORE_HTTP_PORTS</c>, the Kubernetes
/// container ports and Services). A local run picks free loopback ports instead.
/// </summary>
public static class ServicePorts
{
    /// <summary>The parameter server's gRPC port (parameter store, policy, training status, health, reflection).</summary>
    public const int ParameterServer = 50051;

    /// <summary>The parameter server's policy-only port in the Kubernetes deployment (<c>ParameterServer:PolicyPort</c>: policy and health).</summary>
    public const int ParameterServerPolicy = 50053;

    /// <summary>An EnvSim's gRPC port (simulator, health).</summary>
    public const int EnvSim = 50052;
}
