package cimtrain.cli;

import cimtrain.options.TrainSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The train options' descriptor below the command line is the one train uses, and names its entry point. */
class TrainSettingsTest {
    @Test
    void aSweepStartsThisMainsTrainCommand() {
        assertEquals(Main.class.getName(), TrainSettings.MAIN_CLASS);
        assertEquals(TrainSettings.COMMAND, TrainCommand.class.getAnnotation(Command.class).name());
    }

    @Test
    void trainHasEveryOptionOfTheDescriptor() {
        var train = new CommandLine(new TrainCommand()).getCommandSpec();
        for (var o : new CommandLine(new TrainSettings()).getCommandSpec().options()) {
            assertTrue(train.findOption(o.longestName()) != null, o.longestName());
        }
    }
}
