using Grpc.Core;

namespace A3cGrpc.Distributed.Tests;

public sealed class GrpcAddressTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5000", true)]
    [InlineData("https://server:443", true)]
    [InlineData("unix:/tmp/envsim.sock", true)]
    [InlineData("unix:relative.sock", false)]
    [InlineData("ftp://host", false)]
    [InlineData("", false)]
    [InlineData("127.0.0.1:5000", false)]
    public void IsValid_AcceptsHttpAndAbsoluteUnixSockets(string address, bool valid) =>
        Assert.Equal(valid, GrpcAddress.IsValid(address));

    [Fact]
    public void ToListenUrl_UnixSocket_IsKestrelsForm() =>
        Assert.Equal("http://unix:/tmp/x.sock", GrpcAddress.ToListenUrl("unix:/tmp/x.sock"));

    [Fact]
    public void CreateChannel_BadAddress_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => GrpcAddress.CreateChannel("nowhere"));
        Assert.Contains("'nowhere'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BearerToken_MatchesOnlyTheExactToken()
    {
        var token = BearerToken.NewToken();

        Assert.True(BearerToken.Matches(BearerToken.ToMetadata(token), token));
        Assert.False(BearerToken.Matches(BearerToken.ToMetadata(token + "x"), token));
        Assert.False(BearerToken.Matches(new Metadata { { "authorization", token } }, token));
        Assert.False(BearerToken.Matches([], token));
        Assert.True(token.Length >= 40);
    }
}
