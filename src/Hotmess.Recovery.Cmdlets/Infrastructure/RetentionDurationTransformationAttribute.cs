using System.Management.Automation;
using Hotmess.Recovery.Retention;

namespace Hotmess.Recovery.Cmdlets.Infrastructure;

/// <summary>Lets a TimeSpan parameter take restic's short forms (<c>7d</c>, <c>2w</c>, <c>36h</c>) as well as a TimeSpan.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class RetentionDurationTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is not string text)
        {
            return inputData;
        }

        return RetentionDuration.TryParse(text, out var duration)
            ? duration
            : throw new ArgumentTransformationMetadataException($"'{text}' is not a duration: write e.g. 7d, 2w, 36h or 7.00:00:00.");
    }
}
