<#
.SYNOPSIS
    Builds the MAML help file of the module's compiled cmdlets from docs/help/<Verb-Noun>.md.

.DESCRIPTION
    Compiled cmdlets cannot carry comment-based help: Get-Help reads them from en-US/<Assembly>.dll-help.xml.
    This script writes that file from one markdown file per cmdlet (SYNOPSIS, DESCRIPTION, EXAMPLES,
    PARAMETERS, INPUTS, OUTPUTS, NOTES, optional RELATED LINKS).

    The words come from the markdown; everything the cmdlet itself knows (parameter sets, types, mandatory,
    position, pipeline input, wildcards, aliases, accepted values) comes from the built module, read in a
    child PowerShell so the calling session never loads the module's assemblies.

    Gaps are reported as warnings: a markdown file whose cmdlet does not exist, a cmdlet with no markdown,
    a parameter with no description, a documented parameter the cmdlet does not have, a missing section.

.PARAMETER Path
    The folder that holds the <Verb-Noun>.md files.

.PARAMETER OutputPath
    The MAML file to write, e.g. out/HotmessRecovery/en-US/Hotmess.Recovery.Cmdlets.dll-help.xml.

.PARAMETER ModulePath
    The built module manifest to read the cmdlets from. By default, <Name>/<Name>.psd1 where <Name> is the
    folder above the OutputPath's culture folder.

.EXAMPLE
    ./tools/ConvertTo-MamlHelp.ps1 -Path docs/help -OutputPath out/HotmessRecovery/en-US/Hotmess.Recovery.Cmdlets.dll-help.xml
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $Path,

    [Parameter(Mandatory)]
    [string] $OutputPath,

    [string] $ModulePath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$MamlNamespace = 'http://schemas.microsoft.com/maml/2004/10'
$CommandNamespace = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$DevNamespace = 'http://schemas.microsoft.com/maml/dev/2004/10'

# The standard wording PowerShell's own help uses for the risk-mitigation parameters.
$ShouldProcessParameterHelp = [ordered]@{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}

#region Cmdlet metadata (child process)

# Runs in a child pwsh: imports the module and writes, as JSON, what Get-Command knows about each cmdlet.
$MetadataScript = {
    param([string] $ModulePath, [string] $JsonPath)
    $ErrorActionPreference = 'Stop'
    $module = Import-Module $ModulePath -PassThru -WarningAction SilentlyContinue
    # Common parameters are documented by about_CommonParameters; WhatIf and Confirm stay in the syntax.
    $excluded = @([System.Management.Automation.PSCmdlet]::CommonParameters) +
        @([System.Management.Automation.PSCmdlet]::OptionalCommonParameters | Where-Object { $_ -notin 'WhatIf', 'Confirm' })

    function Get-TypeInfo([type] $Type) {
        # An optional value type (int?) reads as its value type: Get-Help has no syntax for Nullable`1.
        $element = if ($Type.IsArray) { $Type.GetElementType() } else { $Type }
        $underlying = [Nullable]::GetUnderlyingType($element)
        if ($underlying) {
            $element = $underlying
            $Type = if ($Type.IsArray) { $underlying.MakeArrayType() } else { $underlying }
        }
        [ordered]@{
            FullName = $Type.FullName
            Name     = $Type.Name
            IsSwitch = $Type -eq [System.Management.Automation.SwitchParameter]
            IsArray  = $Type.IsArray
            Enum     = @(if ($element.IsEnum) { [Enum]::GetNames($element) })
        }
    }

    function Get-DefaultValue($Instance, [string] $Name) {
        # Only values that read well and cannot carry a path of the machine that built the help.
        if ($null -eq $Instance) { return $null }
        try { $value = $Instance.GetType().GetProperty($Name).GetValue($Instance) } catch { return $null }
        if ($null -eq $value) { return $null }
        if ($value -is [System.Management.Automation.SwitchParameter]) { return [string] $value.IsPresent }
        if ($value -is [enum] -or $value -is [bool]) { return [string] $value }
        if ($value -is [string] -and $value -and $value.IndexOfAny([char[]]'/\:') -lt 0) { return $value }
        # A zero number or duration usually means 'not given', not a real default.
        if (($value.GetType().IsPrimitive -or $value -is [decimal] -or $value -is [TimeSpan]) -and
            $value -ne [Activator]::CreateInstance($value.GetType())) {
            return [string] $value
        }
        return $null
    }

    $commands = foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet) {
        $instance = try { [Activator]::CreateInstance($command.ImplementingType) } catch { $null }
        $parameters = foreach ($parameter in $command.Parameters.Values) {
            if ($parameter.Name -in $excluded) { continue }
            $validateSet = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } |
                    ForEach-Object ValidValues)
            [ordered]@{
                Name              = $parameter.Name
                Type              = Get-TypeInfo $parameter.ParameterType
                Aliases           = @($parameter.Aliases)
                Globbing          = [bool]($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
                AcceptedValues    = $validateSet
                DefaultValue      = Get-DefaultValue $instance $parameter.Name
                IsWhatIfOrConfirm = $parameter.Name -in 'WhatIf', 'Confirm'
                Sets              = @(foreach ($set in $parameter.ParameterSets.GetEnumerator()) {
                        [ordered]@{
                            Name           = $set.Key
                            Mandatory      = $set.Value.IsMandatory
                            Position       = $set.Value.Position
                            ByValue        = $set.Value.ValueFromPipeline
                            ByPropertyName = $set.Value.ValueFromPipelineByPropertyName
                        }
                    })
            }
        }
        $sets = foreach ($set in $command.ParameterSets) {
            [ordered]@{
                Name       = $set.Name
                IsDefault  = $set.IsDefault
                Parameters = @($set.Parameters | Where-Object Name -NotIn $excluded | ForEach-Object Name)
            }
        }
        if ($instance -is [IDisposable]) { $instance.Dispose() }
        [ordered]@{
            Name       = $command.Name
            Verb       = $command.Verb
            Noun       = $command.Noun
            Parameters = @($parameters)
            Sets       = @($sets)
        }
    }
    ConvertTo-Json -InputObject @($commands) -Depth 8 | Set-Content -Path $JsonPath -Encoding utf8
}

function Get-CmdletMetadata {
    param([string] $ManifestPath)
    $jsonPath = Join-Path ([IO.Path]::GetTempPath()) ("maml-metadata-{0}.json" -f [guid]::NewGuid())
    # The same PowerShell that runs this script; under 'dotnet pwsh' the process is dotnet itself.
    $process = [Environment]::ProcessPath
    $prefix = @()
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') { $prefix = @(Join-Path $PSHOME 'pwsh.dll') }
    $command = "& { $MetadataScript } -ModulePath '$($ManifestPath.Replace("'", "''"))' -JsonPath '$($jsonPath.Replace("'", "''"))'"
    try {
        & $process @prefix -NoProfile -NonInteractive -Command $command
        if ($LASTEXITCODE -ne 0) { throw "Reading the cmdlets of '$ManifestPath' failed (exit code $LASTEXITCODE)." }
        return @(Get-Content -Raw $jsonPath | ConvertFrom-Json)
    }
    finally {
        Remove-Item $jsonPath -ErrorAction Ignore
    }
}

#endregion

#region Markdown

function ConvertFrom-Inline {
    # Markdown inline syntax to the plain text Get-Help prints.
    param([string] $Text)
    $Text = [regex]::Replace($Text, '\[([^\]]+)\]\(([^)]+)\)', { param($m)
            if ($m.Groups[1].Value -eq $m.Groups[2].Value) { $m.Groups[2].Value } else { "$($m.Groups[1].Value) ($($m.Groups[2].Value))" } })
    $Text = [regex]::Replace($Text, '`([^`]+)`', '$1')
    $Text = [regex]::Replace($Text, '(\*\*|__)(.+?)\1', '$2')
    return $Text.Trim()
}

function Split-Block {
    # A section body as blocks: paragraphs and fenced code.
    param([string[]] $Lines)
    $blocks = [System.Collections.Generic.List[object]]::new()
    $paragraph = [System.Collections.Generic.List[string]]::new()
    $flush = {
        if ($paragraph.Count -gt 0) {
            $blocks.Add([pscustomobject]@{ Kind = 'Para'; Language = ''; Text = (ConvertFrom-Inline ($paragraph -join "`n")) })
            $paragraph.Clear()
        }
    }
    $i = 0
    while ($i -lt $Lines.Count) {
        $line = $Lines[$i]
        if ($line -match '^\s*(```+|~~~+)\s*([\w-]*)') {
            . $flush
            $fence = $Matches[1]
            $language = $Matches[2]
            $code = [System.Collections.Generic.List[string]]::new()
            $i++
            while ($i -lt $Lines.Count -and -not $Lines[$i].TrimStart().StartsWith($fence)) {
                $code.Add($Lines[$i])
                $i++
            }
            $blocks.Add([pscustomobject]@{ Kind = 'Code'; Language = $language; Text = ($code -join "`n") })
        }
        elseif ($line.Trim() -eq '') {
            . $flush
        }
        elseif ($line -match '^\s*([-*+]|\d+\.)\s+|^\s*\|' -or $paragraph.Count -eq 0) {
            # List items and table rows keep a line of their own.
            $paragraph.Add($line.Trim())
        }
        else {
            # A wrapped line continues the paragraph or list item above it.
            $paragraph[$paragraph.Count - 1] += ' ' + $line.Trim()
        }
        $i++
    }
    . $flush
    return $blocks.ToArray()
}

function Split-Heading {
    # Splits lines at headings of one level ('## ' or '### '), ignoring lines inside code fences.
    param([string[]] $Lines, [string] $Marker)
    $sections = [System.Collections.Generic.List[object]]::new()
    $current = $null
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*(```|~~~)') { $inFence = -not $inFence }
        if (-not $inFence -and $line.StartsWith($Marker)) {
            $current = [pscustomobject]@{ Title = $line.Substring($Marker.Length).Trim(); Lines = [System.Collections.Generic.List[string]]::new() }
            $sections.Add($current)
        }
        elseif ($null -ne $current) {
            $current.Lines.Add($line)
        }
    }
    return $sections.ToArray()
}

function Get-Paragraph {
    param([object[]] $Blocks)
    @(foreach ($block in $Blocks) {
            if ($block.Kind -eq 'Para') { $block.Text }
            elseif ($block.Language -notin 'yaml', 'yml') {
                # Code inside prose stays recognisable as code in plain text.
                ($block.Text -split "`n" | ForEach-Object { "    $_" }) -join "`n"
            }
        })
}

function Read-HelpMarkdown {
    param([System.IO.FileInfo] $File)
    $lines = (Get-Content -Raw $File.FullName) -replace "`r`n", "`n" -split "`n"
    if ($lines.Count -gt 0 -and $lines[0] -eq '---') {
        # YAML front matter carries nothing Get-Help shows.
        $end = [Array]::IndexOf($lines, '---', 1)
        if ($end -gt 0) { $lines = $lines[($end + 1)..($lines.Count - 1)] }
    }
    $title = ($lines | Where-Object { $_ -match '^# \S' } | Select-Object -First 1)
    $help = [ordered]@{
        Name         = if ($title) { $title.Substring(2).Trim() } else { $File.BaseName }
        File         = $File.Name
        Synopsis     = ''
        Description  = @()
        Examples     = @()
        Parameters   = [ordered]@{}
        Inputs       = @()
        Outputs      = @()
        Notes        = @()
        RelatedLinks = @()
        Sections     = @()
    }
    $sections = Split-Heading $lines '## '
    $help.Sections = @($sections | ForEach-Object { $_.Title.ToUpperInvariant() })
    foreach ($section in $sections) {
        switch ($section.Title.ToUpperInvariant()) {
            'SYNOPSIS' { $help.Synopsis = (Get-Paragraph (Split-Block $section.Lines)) -join ' ' }
            'DESCRIPTION' { $help.Description = @(Get-Paragraph (Split-Block $section.Lines)) }
            'NOTES' { $help.Notes = @(Get-Paragraph (Split-Block $section.Lines)) }
            'EXAMPLES' {
                $help.Examples = @(foreach ($example in Split-Heading $section.Lines '### ') {
                        $blocks = @(Split-Block $example.Lines)
                        $firstCode = [Array]::FindIndex($blocks, [Predicate[object]] { param($b) $b.Kind -eq 'Code' })
                        [pscustomobject]@{
                            Title        = $example.Title
                            Introduction = @(if ($firstCode -gt 0) { Get-Paragraph $blocks[0..($firstCode - 1)] })
                            Code         = if ($firstCode -ge 0) { $blocks[$firstCode].Text } else { '' }
                            Remarks      = @(if ($firstCode -ge 0 -and $firstCode -lt $blocks.Count - 1) { Get-Paragraph $blocks[($firstCode + 1)..($blocks.Count - 1)] })
                        }
                    })
            }
            'PARAMETERS' {
                foreach ($parameter in Split-Heading $section.Lines '### ') {
                    $name = $parameter.Title.TrimStart('-').Trim()
                    $help.Parameters[$name] = @(Get-Paragraph (Split-Block $parameter.Lines))
                }
            }
            { $_ -in 'INPUTS', 'OUTPUTS' } {
                $types = @(foreach ($type in Split-Heading $section.Lines '### ') {
                        [pscustomobject]@{ Type = (ConvertFrom-Inline $type.Title); Description = @(Get-Paragraph (Split-Block $type.Lines)) }
                    })
                if ($_ -eq 'INPUTS') { $help.Inputs = $types } else { $help.Outputs = $types }
            }
            'RELATED LINKS' {
                $help.RelatedLinks = @(foreach ($line in $section.Lines) {
                        # Only web addresses are kept: a link to another .md file is a cmdlet name to Get-Help.
                        if ($line -match '^\s*[-*]?\s*\[([^\]]+)\]\(([^)]*)\)') {
                            $text, $uri = $Matches[1], $Matches[2]
                            [pscustomobject]@{ Text = $text; Uri = $(if ($uri -match '^https?://') { $uri } else { '' }) }
                        }
                        elseif ($line -match '^\s*[-*]?\s*(\S.*)$') { [pscustomobject]@{ Text = $Matches[1].Trim(); Uri = '' } }
                    })
            }
        }
    }
    return [pscustomobject]$help
}

#endregion

#region MAML

function Write-Para {
    param([System.Xml.XmlWriter] $Writer, [string] $Element, [string] $Namespace, [string[]] $Paragraphs)
    $Writer.WriteStartElement($Element, $Namespace)
    foreach ($paragraph in $Paragraphs) { $Writer.WriteElementString('para', $MamlNamespace, $paragraph) }
    $Writer.WriteEndElement()
}

function Get-PipelineInput {
    param([object[]] $Sets)
    $byValue = [bool]($Sets | Where-Object ByValue)
    $byName = [bool]($Sets | Where-Object ByPropertyName)
    if ($byValue -and $byName) { 'true (ByValue, ByPropertyName)' }
    elseif ($byValue) { 'true (ByValue)' }
    elseif ($byName) { 'true (ByPropertyName)' }
    else { 'false' }
}

function Get-Position([int] $Position) {
    if ($Position -eq [int]::MinValue -or $Position -lt 0) { 'named' } else { [string] $Position }
}

function Write-Parameter {
    # One command:parameter; $Sets are the parameter set entries it is shown for.
    param([System.Xml.XmlWriter] $Writer, $Parameter, [object[]] $Sets, [string[]] $Description)
    $positioned = @($Sets | Where-Object { $_.Position -ge 0 })
    $Writer.WriteStartElement('parameter', $CommandNamespace)
    $Writer.WriteAttributeString('required', ([string][bool]($Sets | Where-Object Mandatory)).ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', ([string]$Parameter.Type.IsArray).ToLowerInvariant())
    $Writer.WriteAttributeString('globbing', ([string]$Parameter.Globbing).ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', (Get-PipelineInput $Sets))
    $Writer.WriteAttributeString('position', $(if ($positioned) { Get-Position $positioned[0].Position } else { 'named' }))
    $Writer.WriteAttributeString('aliases', $(if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }))
    $Writer.WriteElementString('name', $MamlNamespace, $Parameter.Name)
    Write-Para $Writer 'description' $MamlNamespace $Description
    if (-not $Parameter.Type.IsSwitch) {
        $accepted = @($Parameter.AcceptedValues) + @($Parameter.Type.Enum) | Select-Object -Unique
        if ($accepted) {
            $Writer.WriteStartElement('parameterValueGroup', $CommandNamespace)
            foreach ($value in $accepted) {
                $Writer.WriteStartElement('parameterValue', $CommandNamespace)
                $Writer.WriteAttributeString('required', 'false')
                $Writer.WriteAttributeString('variableLength', 'false')
                $Writer.WriteString($value)
                $Writer.WriteEndElement()
            }
            $Writer.WriteEndElement()
        }
        $Writer.WriteStartElement('parameterValue', $CommandNamespace)
        $Writer.WriteAttributeString('required', 'true')
        $Writer.WriteAttributeString('variableLength', ([string]$Parameter.Type.IsArray).ToLowerInvariant())
        $Writer.WriteString($Parameter.Type.Name)
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('type', $DevNamespace)
    $Writer.WriteElementString('name', $MamlNamespace, $Parameter.Type.FullName)
    $Writer.WriteElementString('uri', $MamlNamespace, '')
    $Writer.WriteEndElement()
    $default = if ($null -ne $Parameter.DefaultValue) { $Parameter.DefaultValue } elseif ($Parameter.Type.IsSwitch) { 'False' } else { 'None' }
    $Writer.WriteElementString('defaultValue', $DevNamespace, $default)
    $Writer.WriteEndElement()
}

function Write-TypeList {
    param([System.Xml.XmlWriter] $Writer, [string] $ListElement, [string] $ItemElement, [object[]] $Types)
    $Writer.WriteStartElement($ListElement, $CommandNamespace)
    foreach ($type in $Types) {
        $Writer.WriteStartElement($ItemElement, $CommandNamespace)
        $Writer.WriteStartElement('type', $DevNamespace)
        $Writer.WriteElementString('name', $MamlNamespace, $type.Type)
        $Writer.WriteEndElement()
        Write-Para $Writer 'description' $MamlNamespace $type.Description
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

function Get-ParameterDescription {
    param($Help, $Parameter)
    if ($Parameter.IsWhatIfOrConfirm) { return @($ShouldProcessParameterHelp[$Parameter.Name]) }
    $key = @($Help.Parameters.Keys) | Where-Object { $_ -eq $Parameter.Name } | Select-Object -First 1
    if ($key) { return @($Help.Parameters[$key]) }
    return @()
}

function Write-Command {
    param([System.Xml.XmlWriter] $Writer, $Help, $Command)
    $Writer.WriteStartElement('command', 'command', $CommandNamespace)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $MamlNamespace)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $DevNamespace)

    $Writer.WriteStartElement('details', $CommandNamespace)
    $Writer.WriteElementString('name', $CommandNamespace, $Command.Name)
    $Writer.WriteElementString('verb', $CommandNamespace, $Command.Verb)
    $Writer.WriteElementString('noun', $CommandNamespace, $Command.Noun)
    Write-Para $Writer 'description' $MamlNamespace @($Help.Synopsis)
    $Writer.WriteEndElement()
    Write-Para $Writer 'description' $MamlNamespace $Help.Description

    $parametersByName = @{}
    foreach ($parameter in $Command.Parameters) { $parametersByName[$parameter.Name] = $parameter }

    # Syntax: one item per parameter set, default set first; positional, then mandatory, then the rest.
    $Writer.WriteStartElement('syntax', $CommandNamespace)
    foreach ($set in @($Command.Sets | Sort-Object { -not $_.IsDefault })) {
        $entries = foreach ($name in $set.Parameters) {
            $parameter = $parametersByName[$name]
            $entry = @($parameter.Sets | Where-Object { $_.Name -eq $set.Name -or $_.Name -eq '__AllParameterSets' })[0]
            [pscustomobject]@{ Parameter = $parameter; Entry = $entry }
        }
        $ordered = @($entries | Sort-Object -Stable `
                @{ Expression = { if ($_.Parameter.IsWhatIfOrConfirm) { 3 } elseif ($_.Entry.Position -ge 0) { 0 } elseif ($_.Entry.Mandatory) { 1 } else { 2 } } },
            @{ Expression = { if ($_.Entry.Position -ge 0) { $_.Entry.Position } else { 0 } } })
        $Writer.WriteStartElement('syntaxItem', $CommandNamespace)
        $Writer.WriteElementString('name', $MamlNamespace, $Command.Name)
        foreach ($item in $ordered) {
            Write-Parameter $Writer $item.Parameter @($item.Entry) (Get-ParameterDescription $Help $item.Parameter)
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    # Parameters: in the order the markdown documents them, then any it misses, then WhatIf and Confirm.
    $rank = @{}
    foreach ($name in $Help.Parameters.Keys) { $rank[$name] = $rank.Count }
    $ordered = @($Command.Parameters | Sort-Object -Stable {
            if ($_.IsWhatIfOrConfirm) { [int]::MaxValue } elseif ($rank.ContainsKey($_.Name)) { $rank[$_.Name] } else { [int]::MaxValue - 1 }
        })
    $Writer.WriteStartElement('parameters', $CommandNamespace)
    foreach ($parameter in $ordered) {
        Write-Parameter $Writer $parameter @($parameter.Sets) (Get-ParameterDescription $Help $parameter)
    }
    $Writer.WriteEndElement()

    Write-TypeList $Writer 'inputTypes' 'inputType' $Help.Inputs
    Write-TypeList $Writer 'returnValues' 'returnValue' $Help.Outputs

    # Get-Help prints the NOTES and RELATED LINKS headings whenever the elements exist, even empty.
    if ($Help.Notes.Count) {
        $Writer.WriteStartElement('alertSet', $MamlNamespace)
        Write-Para $Writer 'alert' $MamlNamespace $Help.Notes
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('examples', $CommandNamespace)
    foreach ($example in $Help.Examples) {
        $Writer.WriteStartElement('example', $CommandNamespace)
        # Dashes set the title apart, but never so many that it wraps in an 80-column console.
        $dashes = '-' * [Math]::Clamp([int][Math]::Floor((70 - $example.Title.Length) / 2), 0, 10)
        $Writer.WriteElementString('title', $MamlNamespace, "$dashes $($example.Title) $dashes".Trim())
        # Get-Help prints the introduction straight before the code, as if it were a prompt.
        Write-Para $Writer 'introduction' $MamlNamespace @($example.Introduction | ForEach-Object { "$_`n`n" })
        $Writer.WriteElementString('code', $DevNamespace, $example.Code)
        # The empty paragraph keeps a blank line between one example and the next title.
        Write-Para $Writer 'remarks' $DevNamespace (@($example.Remarks) + '')
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    if ($Help.RelatedLinks.Count) {
        $Writer.WriteStartElement('relatedLinks', $MamlNamespace)
        foreach ($link in $Help.RelatedLinks) {
            $Writer.WriteStartElement('navigationLink', $MamlNamespace)
            $Writer.WriteElementString('linkText', $MamlNamespace, $link.Text)
            $Writer.WriteElementString('uri', $MamlNamespace, $link.Uri)
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }

    $Writer.WriteEndElement()
}

#endregion

$Path = (Resolve-Path $Path).ProviderPath
$OutputPath = [IO.Path]::GetFullPath($OutputPath, (Get-Location).ProviderPath)
if (-not $ModulePath) {
    $moduleFolder = Split-Path (Split-Path $OutputPath)
    $ModulePath = Join-Path $moduleFolder ((Split-Path -Leaf $moduleFolder) + '.psd1')
}
$ModulePath = (Resolve-Path $ModulePath).ProviderPath

$commands = @(Get-CmdletMetadata $ModulePath)
$helpFiles = @(Get-ChildItem -Path $Path -Filter '*.md' -File | Sort-Object Name | ForEach-Object { Read-HelpMarkdown $_ })
$documentedCommands = @($helpFiles | ForEach-Object Name)

foreach ($command in $commands) {
    if ($command.Name -notin $documentedCommands) {
        Write-Warning "$($command.Name) has no help: add $(Join-Path $Path "$($command.Name).md")."
    }
}

$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
New-Item -ItemType Directory -Force (Split-Path $OutputPath) | Out-Null
$writer = [System.Xml.XmlWriter]::Create($OutputPath, $settings)
$written = 0
try {
    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', 'http://msh')
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($help in $helpFiles) {
        $command = $commands | Where-Object Name -EQ $help.Name | Select-Object -First 1
        if ($help.File -ne "$($help.Name).md") {
            Write-Warning "$($help.File): its title is '$($help.Name)'; name the file after the cmdlet it documents."
        }
        if (-not $command) {
            Write-Warning "$($help.File) documents '$($help.Name)', which the module does not export; it is left out."
            continue
        }
        $documentable = @($command.Parameters | Where-Object { -not $_.IsWhatIfOrConfirm })
        foreach ($section in 'SYNOPSIS', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS') {
            if ($section -eq 'PARAMETERS' -and -not $documentable) { continue }
            if ($section -notin $help.Sections) { Write-Warning "$($help.File) has no '## $section' section." }
        }
        foreach ($example in $help.Examples) {
            if (-not $example.Code.Trim()) { Write-Warning "$($help.File): '$($example.Title)' has no code." }
        }
        foreach ($parameter in $documentable) {
            if (-not (@(Get-ParameterDescription $help $parameter) -join '').Trim()) {
                Write-Warning "$($help.File): parameter -$($parameter.Name) of $($command.Name) has no description."
            }
        }
        foreach ($name in $help.Parameters.Keys) {
            if ($name -notin @($command.Parameters | ForEach-Object Name)) {
                Write-Warning "$($help.File) documents -$name, which $($command.Name) does not have."
            }
        }
        Write-Command $writer $help $command
        $written++
    }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
}
finally {
    $writer.Dispose()
}
Write-Verbose "Help for $written of $($commands.Count) cmdlets written to $OutputPath."
