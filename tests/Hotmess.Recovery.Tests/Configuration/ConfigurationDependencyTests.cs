using Hotmess.Recovery.Configuration;
using NetArchTest.Rules;

namespace Hotmess.Recovery.Tests.Configuration;

public sealed class ConfigurationDependencyTests
{
    [Fact]
    public void Configuration_does_not_depend_on_the_database_code()
    {
        var result = Types.InAssembly(typeof(HotmessConfiguration).Assembly)
            .That().ResideInNamespace("Hotmess.Recovery.Configuration")
            .ShouldNot().HaveDependencyOnAny("Hotmess.Recovery.Database", "Npgsql")
            .GetResult();

        Assert.True(result.IsSuccessful, "Depend on the database code: " + string.Join(", ", result.FailingTypeNames ?? []));
    }
}
