using System.Globalization;
using A3cGrpc.ServiceDefaults.Launching;

namespace A3cGrpc.ServiceDefaults.Tests;

public sealed class ConfigurationArgumentTests
{
    [Fact]
    public void Of_NumberUnderACommaCulture_IsWrittenInvariantly()
    {
        var culture = CultureInfo.CurrentCulture;
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        CultureInfo.CurrentCulture = comma;
        try
        {
            Assert.Equal("--A3c:Gamma=0.99", ConfigurationArgument.Of("A3c", "Gamma", 0.99));
            Assert.Equal("--ParameterServer:StopWhenSolved=False", ConfigurationArgument.Of("ParameterServer", "StopWhenSolved", false));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }
}
